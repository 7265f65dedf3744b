// A child process of the authorization-code race test: at `startAt` (epoch ms), redeems
// one code `count` times at once on a store of the given prefix (standalone or Cluster),
// and prints the outcomes as JSON.
import { Cluster, Redis } from 'ioredis';
import { redisAuthorizationCodeStore } from './store.js';

const [mode, ports, keyPrefix, hash, countText, startAtText] = process.argv.slice(2);
const portList = (ports as string).split(',').map(Number);
const client =
  mode === 'cluster'
    ? new Cluster(portList.map((port) => ({ host: '127.0.0.1', port })))
    : new Redis({ host: '127.0.0.1', port: portList[0] as number });
const store = redisAuthorizationCodeStore({ client, keyPrefix: keyPrefix as string });
// Connected and the scripts loaded before the start line, so the calls race for real.
await store.wasReused(hash as string);
const wait = Number(startAtText) - Date.now();
if (wait > 0) await new Promise((r) => setTimeout(r, wait));
const results = await Promise.all(Array.from({ length: Number(countText) }, () => store.redeem(hash as string)));
process.stdout.write(`${JSON.stringify(results.map((r) => r.outcome))}\n`);
await client.quit();
