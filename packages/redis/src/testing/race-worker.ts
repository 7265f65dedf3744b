// A child process of the race test: fires `count` concurrent checks on one key and prints
// how many were admitted. Run two of these at once against the same Redis or Cluster.
import { Cluster, Redis } from 'ioredis';
import { redisRateLimitStore } from '../store.js';

const [mode, ports, key, limitText, countText, nowText] = process.argv.slice(2);
const portList = (ports as string).split(',').map(Number);
const client =
  mode === 'cluster'
    ? new Cluster(portList.map((port) => ({ host: '127.0.0.1', port })))
    : new Redis({ host: '127.0.0.1', port: portList[0] as number });
const store = redisRateLimitStore(client);
const check = [{ scope: 'race', key: key as string, limit: Number(limitText), windowMs: 600_000, blockMs: 0 }];
const results = await Promise.all(
  Array.from({ length: Number(countText) }, () => store.consume('fixed-window', check, 1, Number(nowText))),
);
process.stdout.write(`${JSON.stringify({ admitted: results.filter((r) => r.allowed).length })}\n`);
await client.quit();
