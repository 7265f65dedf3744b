import { lockout, memoryLockoutStore } from '@bulwark/lockout';
import { redisLockoutStore } from '@bulwark/redis';
import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import { compareAsync, type Result } from './harness.js';

/**
 * One failed sign-in attempt, the hot path under attack: ours reserves it over the three
 * scopes (pair, account, IP) before the password check and settles it as a failure; the
 * anchor, rate-limiter-flexible, consumes one point of its login limiter (its brute-force
 * recipe counts the pair and the IP with two limiters; one `consume` is the least it does,
 * so the ratio favours it). Thresholds are high enough that nothing locks: the cost of
 * counting, not of refusing. 10,000 accounts, 250 client IPs.
 */
const NEVER = { attempts: 1_000_000 };
const accountOf = (i: number) => `user${i % 10_000}@example.com`;
const ipOf = (i: number) => `203.0.113.${i % 250}`;
const swallow = () => undefined;

async function attemptOnce(signIns: ReturnType<typeof lockout>, i: number): Promise<void> {
  const attempt = await signIns.reserve({ account: accountOf(i), ip: ipOf(i) });
  if (attempt.allowed) await attempt.settle(false);
}

async function memoryBench(): Promise<Result> {
  const signIns = lockout({ store: memoryLockoutStore(), pair: NEVER, account: NEVER, ip: NEVER });
  const theirs = new RateLimiterMemory({ points: 1_000_000_000, duration: 900 });
  return compareAsync(
    {
      bench: 'lockout.check.memory',
      anchor: 'rate-limiter-flexible',
      ours: (i) => attemptOnce(signIns, i),
      theirs: (i) => theirs.consume(`${accountOf(i)}_${ipOf(i)}`).catch(swallow),
    },
    { rounds: 10, iterations: 5_000 },
  );
}

/**
 * Counts the commands this client sends (EVALSHA, and EVAL after a NOSCRIPT): awaited one
 * at a time, each is a round trip. Counted at the client, as the shared Redis serves others.
 */
function countCommands(client: Redis): () => number {
  let sent = 0;
  const send = client.sendCommand.bind(client);
  client.sendCommand = ((...args: Parameters<Redis['sendCommand']>) => {
    sent += 1;
    return send(...args);
  }) as Redis['sendCommand'];
  return () => sent;
}

async function redisBench(): Promise<Result[]> {
  const client = new Redis({ host: '127.0.0.1', port: 6379 });
  const admin = new Redis({ host: '127.0.0.1', port: 6379 });
  const keyPrefix = `bench:lockout:${process.pid}`;
  try {
    const signIns = lockout({
      store: redisLockoutStore({ client, keyPrefix }),
      pair: NEVER,
      account: NEVER,
      ip: NEVER,
    });
    const theirs = new RateLimiterRedis({
      storeClient: client,
      points: 1_000_000_000,
      duration: 900,
      keyPrefix: `${keyPrefix}:rlf`,
    });
    // Round trips per attempt, counted by Redis itself.
    const sent = countCommands(client);
    await attemptOnce(signIns, 0);
    const before = sent();
    const ATTEMPTS = 1000;
    for (let i = 0; i < ATTEMPTS; i++) await attemptOnce(signIns, i);
    const perAttempt = (sent() - before) / ATTEMPTS;
    console.log(`lockout.check.redis: ${perAttempt} Redis commands (round trips) per failed attempt`);
    const result = await compareAsync(
      {
        bench: 'lockout.check.redis',
        anchor: 'rate-limiter-flexible',
        ours: (i) => attemptOnce(signIns, i),
        theirs: (i) => theirs.consume(`${accountOf(i)}_${ipOf(i)}`).catch(swallow),
      },
      { rounds: 6, iterations: 1_000 },
    );
    return [{ ...result, roundTripsPerAttempt: perAttempt }];
  } finally {
    const keys = await admin.keys(`${keyPrefix}:*`);
    for (let i = 0; i < keys.length; i += 500) await admin.del(...keys.slice(i, i + 500));
    await Promise.all([client.quit(), admin.quit()]);
  }
}

export async function lockoutBench(): Promise<Result[]> {
  return [await memoryBench(), ...(await redisBench())];
}
