// A child process of the lockout two-process test: reserves the given number of attempts
// of one target at once on a store of the given prefix (standalone or Cluster), on Redis
// TIME, settles none (failures), and prints how many were allowed.
import { compileRules, type LockoutOptions, type LockoutTarget } from '@bulwark/lockout';
import { Cluster, Redis } from 'ioredis';
import { redisLockoutStore } from './store.js';

const [mode, ports, keyPrefix, targetJson, optionsJson, attempts] = process.argv.slice(2);
const portList = (ports as string).split(',').map(Number);
const client =
  mode === 'cluster'
    ? new Cluster(portList.map((port) => ({ host: '127.0.0.1', port })))
    : new Redis({ host: '127.0.0.1', port: portList[0] as number });
const store = redisLockoutStore({ client, keyPrefix: keyPrefix as string });
const target = JSON.parse(targetJson as string) as LockoutTarget;
const rules = compileRules(JSON.parse(optionsJson as string) as LockoutOptions);
const answers = await Promise.all(Array.from({ length: Number(attempts) }, () => store.reserve(target, rules)));
process.stdout.write(`${JSON.stringify({ allowed: answers.filter((a) => a.allowed).length })}\n`);
await client.quit();
