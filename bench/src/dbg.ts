import { redisRateLimitStore } from '@bulwark/redis';
import { Redis } from 'ioredis';
const c = new Redis();
c.on('error', () => {});
const mon = new Redis();
await mon.monitor().then((m) => m.on('monitor', (_t, args) => { if (String(args[0]).toLowerCase().startsWith('eval')) console.log(JSON.stringify(args)); }));
const s = redisRateLimitStore(c, { prefix: 'dbg' });
try { console.log(await s.consume('fixed-window', [{ key: 'a:b', limit: 3, windowMs: 1000, blockMs: 0 }], 1, 1893456001000)); } catch (e) { console.log(String(e)); }
await new Promise((r) => setTimeout(r, 300));
c.disconnect(); mon.disconnect();
