// A child process of the revocation propagation test: revokes the targets given as JSON on
// a store of the given prefix (standalone or Cluster), then prints its clock right after.
import type { RevocationTarget } from '@bulwark/tokens';
import { Cluster, Redis } from 'ioredis';
import { redisRevocationStore } from './store.js';

const [mode, ports, keyPrefix, targetsJson] = process.argv.slice(2);
const portList = (ports as string).split(',').map(Number);
const client =
  mode === 'cluster'
    ? new Cluster(portList.map((port) => ({ host: '127.0.0.1', port })))
    : new Redis({ host: '127.0.0.1', port: portList[0] as number });
const store = redisRevocationStore({ client, keyPrefix: keyPrefix as string });
const targets = JSON.parse(targetsJson as string) as RevocationTarget[];
await Promise.all(targets.map((target) => store.revoke(target)));
process.stdout.write(`${JSON.stringify({ revokedAt: Date.now() })}\n`);
await store.close();
await client.quit();
