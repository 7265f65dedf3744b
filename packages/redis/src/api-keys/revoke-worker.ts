// A child process of the two-process API-key test: revokes the key id given on a store of
// the given prefix (standalone or Cluster), then prints its clock right after.
import { apiKeys } from '@bulwark/api-keys';
import { Cluster, Redis } from 'ioredis';
import { redisApiKeyStore } from './store.js';

const [mode, ports, keyPrefix, id] = process.argv.slice(2);
const portList = (ports as string).split(',').map(Number);
const client =
  mode === 'cluster'
    ? new Cluster(portList.map((port) => ({ host: '127.0.0.1', port })))
    : new Redis({ host: '127.0.0.1', port: portList[0] as number });
const keys = apiKeys({ store: redisApiKeyStore({ client, keyPrefix: keyPrefix as string }) });
const revoked = await keys.revoke(id as string);
process.stdout.write(`${JSON.stringify({ revoked, revokedAt: Date.now() })}\n`);
await keys.close();
await client.quit();
