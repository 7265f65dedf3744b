import { canonicalIpv4Value } from '@bulwark/core';
import { type LimitCheck, memoryStore } from '@bulwark/ratelimit';
import { redisRateLimitStore } from '@bulwark/redis';
import { MemoryStore as ExpressRateLimitMemoryStore } from 'express-rate-limit';
import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import {
  alternate,
  asyncTimer,
  collectGarbage,
  compareAsync,
  median,
  pairedMedian,
  type Result,
  result,
} from './harness.js';

const WINDOW_MS = 60_000;
/** What `rateLimitPolicy` compiles once per limit: `<policy>:<limit>`. */
const SCOPE = 'bench:anon';
/**
 * Our side of every operation: the check a policy builds for a request (a fresh array and
 * check object around the client key, as `rateLimitPolicy` builds them). Both sides get
 * the same client-key strings; each does with them what it does in an application:
 * rate-limiter-flexible builds its store key (`rlflx:<key>`) in every call, ours looks the
 * client key up in its scope's index as it is (see docs/performance.md).
 *
 * `ipv4` is the key's number, which a policy takes from the pass over the client address
 * that finds its key (`canonicalIpv4Value`, the check `ipKey` made before 2026-11-28); like
 * the anchor's `req.ip`, that pass is outside the timed operation unless a bench says
 * otherwise (`allow.scanned`, `allow.freshkeys` run it inside).
 */
const checkFor = (clientKey: string, ipv4: number, limit: number): LimitCheck[] => [
  { scope: SCOPE, key: clientKey, ipv4, limit, windowMs: WINDOW_MS, blockMs: 0 },
];

/**
 * rate-limiter-flexible rejects its promise over the limit, so its calls carry a `catch` (as
 * an application's would); ours answers `allowed: false`. The memory store answers
 * synchronously (by design: no promise to allocate); the harness awaits both sides.
 */
const swallow = () => undefined;

/**
 * One allow-path comparison: 10,000 client keys, never limited, the key of operation `i`
 * given by `clientKey` to both sides alike.
 */
async function allowBench(
  bench: string,
  clientKey: (i: number) => string,
  ipv4: (i: number, key: string) => number,
  anchorOptions: { keyPrefix?: string } = {},
): Promise<Result> {
  const ours = memoryStore({ maxKeys: 20_000 });
  const theirs = new RateLimiterMemory({ points: 1_000_000_000, duration: WINDOW_MS / 1000, ...anchorOptions });
  const result = await compareAsync(
    {
      bench,
      anchor: 'rate-limiter-flexible',
      ours: (i) => {
        const key = clientKey(i);
        return ours.consume('fixed-window', checkFor(key, ipv4(i, key), 1_000_000_000), 1);
      },
      // Nothing is refused here (the limit is never reached), so no catch is needed.
      theirs: (i) => theirs.consume(clientKey(i), 1),
    },
    { iterations: 250_000, rounds: 12 },
  );
  await forgetAnchorKeys(theirs, clientKey);
  return result;
}

/**
 * rate-limiter-flexible keeps a timer per key, which keeps the key's record alive for the
 * window (a minute) after its bench: later benches would run with those timers and records
 * in the heap. Deleting them leaves both sides' stores to the collector.
 */
async function forgetAnchorKeys(limiter: RateLimiterMemory, clientKey: (i: number) => string): Promise<void> {
  // Every bench's keys are among the first 10,240 operations' keys.
  for (let i = 0; i < 10_240; i++) await limiter.delete(clientKey(i));
}

const ipv4Keys = (second: number) => Array.from({ length: 10_000 }, (_, i) => `10.${second}.${i >> 8}.${i & 255}`);
const numbersOf = (keys: readonly string[]) => keys.map(canonicalIpv4Value);

/** A bench's 10,000 IPv4 client keys and their numbers, both built before timing. */
function prebuiltKeys(second: number) {
  const keys = ipv4Keys(second);
  const numbers = numbersOf(keys);
  return { key: (i: number) => keys[i % 10_000] as string, ipv4: (i: number) => numbers[i % 10_000] as number };
}

/** The allow path: each side gets the client key as a request brings it. */
async function memoryAllow(): Promise<Result> {
  const { key, ipv4 } = prebuiltKeys(0);
  return allowBench('ratelimit.memory.allow', key, ipv4);
}

/**
 * The allow path with the policy's pass over the address (`canonicalIpv4Value`) inside our
 * timed operation, and nothing of the kind on the anchor's side. Reference.
 */
async function memoryAllowScanned(): Promise<Result> {
  const keys = ipv4Keys(6);
  return allowBench(
    'ratelimit.memory.allow.scanned',
    (i) => keys[i % 10_000] as string,
    (_, key) => canonicalIpv4Value(key),
  );
}

/**
 * The store mechanics alone: rate-limiter-flexible is told not to prefix its keys
 * (`keyPrefix: ''`), so neither side builds a string; both look the client key up as it is.
 * Reported for reference: the prefix is what every rate-limiter-flexible limiter adds.
 */
async function memoryAllowSameKeys(): Promise<Result> {
  const { key, ipv4 } = prebuiltKeys(4);
  return allowBench('ratelimit.memory.allow.samekeys', key, ipv4, { keyPrefix: '' });
}

/**
 * The client key as a string built in the operation, on both sides: what a key parsed from
 * `X-Forwarded-For`, an IPv6 group or a function key costs (a direct IPv4 client's key is
 * its socket's address string, one per connection: that is `memory.allow`). Reference.
 */
async function memoryAllowFreshKeys(): Promise<Result> {
  // 10,240 keys, each built anew in every operation.
  return allowBench(
    'ratelimit.memory.allow.freshkeys',
    (i) => `10.5.${(i >> 8) % 40}.${i & 255}`,
    (_, key) => canonicalIpv4Value(key),
  );
}

async function memoryReject(): Promise<Result> {
  const keys = ipv4Keys(1);
  const numbers = numbersOf(keys);
  const ours = memoryStore({ maxKeys: 20_000 });
  const theirs = new RateLimiterMemory({ points: 5, duration: WINDOW_MS / 1000 });
  for (let i = 0; i < 10_000; i++) {
    ours.consume('fixed-window', checkFor(keys[i] as string, numbers[i] as number, 5), 5);
    await theirs.consume(keys[i] as string, 5);
  }
  const result = await compareAsync(
    {
      bench: 'ratelimit.memory.reject',
      anchor: 'rate-limiter-flexible',
      ours: (i) =>
        ours.consume('fixed-window', checkFor(keys[i % 10_000] as string, numbers[i % 10_000] as number, 5), 1),
      theirs: (i) => theirs.consume(keys[i % 10_000] as string, 1).catch(swallow),
    },
    { iterations: 250_000, rounds: 12 },
  );
  await forgetAnchorKeys(theirs, (i) => keys[i % 10_000] as string);
  return result;
}

/**
 * The JavaScript heap plus array buffers, after full collections. The store keeps its state
 * and its IPv4 index in typed arrays, whose contents live outside the heap (`heapUsed`
 * alone missed them: until 2026-11-28 this figure left out the 48 bytes a key of state).
 */
function memoryAfterGc(): number {
  (globalThis as { gc?: () => void }).gc?.();
  (globalThis as { gc?: () => void }).gc?.();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

/** Bytes per key: memory growth over 1,000,000 fresh keys, measured after full GCs. */
function bytesPerKey(): number {
  const store = memoryStore({ maxKeys: 1_100_000 });
  const before = memoryAfterGc();
  for (let i = 0; i < 1_000_000; i++) {
    const key = `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`;
    store.consume('fixed-window', checkFor(key, canonicalIpv4Value(key), 100), 1, 1_000_000);
  }
  const after = memoryAfterGc();
  if (store.size !== 1_000_000) throw new Error(`expected 1,000,000 keys, have ${store.size}`);
  return Math.round((after - before) / 1_000_000);
}

/**
 * 1,000,000 fresh keys into an empty store, one side at a time, each in a store of its own
 * that is emptied before the other side runs; sides alternate first/second over the runs.
 * Interleaving slices of the two (as the other benches do) made each side pay for marking
 * the other's million retained entries whenever its slice triggered a full collection:
 * per-slice ratios ran from 0.7 to 2.4 depending on whose slice the collection fell in.
 */
async function memoryNewKey(): Promise<Result> {
  const count = 1_000_000;
  const runs = 6;
  // Client keys shaped like IPv4 addresses, built before timing (they are the request's).
  // Each side does with them what it does for a request (see `checkFor`): the anchor builds
  // and inserts `rlflx:<key>`, ours inserts the client key itself. Every run starts from an
  // empty store, so every key is new to the store it goes into.
  const keys = Array.from({ length: count }, (_, i) => `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`);
  const numbers = numbersOf(keys);
  const timeOurs = asyncTimer();
  const timeTheirs = asyncTimer();
  const ours = async (n: number) => {
    const store = memoryStore({ maxKeys: 2_000_000 });
    return timeOurs((i) => store.consume('fixed-window', checkFor(keys[i] as string, numbers[i] as number, 100), 1), n);
  };
  const theirs = async (n: number) => {
    const limiter = new RateLimiterMemory({ points: 100, duration: WINDOW_MS / 1000 });
    // Fresh keys are never refused: no catch needed.
    const opsPerSecond = await timeTheirs((i) => limiter.consume(keys[i] as string, 1), n);
    // Its timer per key would otherwise fire (and keep its entries alive) for a minute.
    for (let i = 0; i < n; i++) await limiter.delete(keys[i] as string);
    return opsPerSecond;
  };
  await ours(100_000);
  await theirs(100_000);
  // Each run starts from a collected heap, so neither side marks what the other left.
  const m = await alternate(
    runs,
    () => {
      collectGarbage();
      return ours(count);
    },
    () => {
      collectGarbage();
      return theirs(count);
    },
  );
  return { ...result('ratelimit.memory.newkey', 'rate-limiter-flexible', m), keys: count, bytesPerKey: bytesPerKey() };
}

async function expressRateLimitMemory(): Promise<Result> {
  const keys = ipv4Keys(2);
  const numbers = numbersOf(keys);
  const ours = memoryStore({ maxKeys: 20_000 });
  const theirs = new ExpressRateLimitMemoryStore();
  theirs.init({ windowMs: WINDOW_MS } as never);
  const result = await compareAsync(
    {
      bench: 'ratelimit.memory.allow.express-rate-limit',
      anchor: 'express-rate-limit',
      ours: (i) =>
        ours.consume(
          'fixed-window',
          checkFor(keys[i % 10_000] as string, numbers[i % 10_000] as number, 1_000_000_000),
          1,
        ),
      theirs: (i) => theirs.increment(keys[i % 10_000] as string),
    },
    { iterations: 250_000, rounds: 12 },
  );
  theirs.shutdown();
  return result;
}

/** Keeps `concurrency` operations in flight until `total` have completed. */
async function inFlight(total: number, concurrency: number, op: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) await op(next++);
    }),
  );
  return (total * 1e9) / Number(process.hrtime.bigint() - start);
}

async function redisBenches(): Promise<Result[]> {
  const options = { host: '127.0.0.1', port: 6379, enableAutoPipelining: false };
  const oursClient = new Redis(options);
  const theirsClient = new Redis(options);
  const floorClient = new Redis(options);
  try {
    await Promise.all([oursClient.ping(), theirsClient.ping(), floorClient.ping()]);
    const run = `${Date.now()}`;
    const ours = redisRateLimitStore(oursClient, { prefix: `bench:${run}` });
    const theirs = new RateLimiterRedis({
      storeClient: theirsClient,
      points: 1_000_000_000,
      duration: WINDOW_MS / 1000,
      keyPrefix: `bench-rlf:${run}`,
    });
    floorClient.defineCommand('benchIncrExpire', {
      numberOfKeys: 1,
      lua: "local n = redis.call('INCR', KEYS[1]) if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end return n",
    });
    const floor = floorClient as unknown as { benchIncrExpire(key: string, ttl: number): Promise<number> };
    const keys = ipv4Keys(3);
    const numbers = numbersOf(keys);
    const total = 20_000;
    const rounds = 12;
    const measure = async (fn: (i: number) => Promise<unknown>) => inFlight(total, 100, fn);
    // Not an async wrapper: the Redis store answers a promise, and a wrapper would add one
    // more to our side only. With the deadline a policy's failure policy passes (its
    // `Date.now()` included) and a limit a policy can have (at most 1,000,000, never
    // reached here), so that the figure is what an application gets: the compact call
    // carries the deadline with limits below 2^20 (see packages/redis/src/lua.ts).
    const oursOp = (i: number) =>
      ours.consume(
        'fixed-window',
        checkFor(keys[i % 10_000] as string, numbers[i % 10_000] as number, 1_000_000),
        1,
        undefined,
        Date.now() + 500,
      ) as Promise<unknown>;
    // The limit is never reached: nothing is refused, so no catch is needed.
    const theirsOp = (i: number) => theirs.consume(keys[i % 10_000] as string, 1);
    const floorOp = (i: number) => floor.benchIncrExpire(`bench-floor:${run}:${keys[i % 10_000]}`, WINDOW_MS);
    await measure(oursOp);
    await measure(theirsOp);
    await measure(floorOp);
    const samples: Record<'ours' | 'theirs' | 'floor', number[]> = { ours: [], theirs: [], floor: [] };
    const versusTheirs: number[] = [];
    const versusFloor: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const order: Array<'ours' | 'theirs' | 'floor'> =
        r % 2 === 0 ? ['ours', 'theirs', 'floor'] : ['floor', 'theirs', 'ours'];
      const round: Partial<Record<'ours' | 'theirs' | 'floor', number>> = {};
      for (const which of order) {
        round[which] = await measure(which === 'ours' ? oursOp : which === 'theirs' ? theirsOp : floorOp);
        samples[which].push(round[which] as number);
      }
      // Per-round ratios (see harness.ts): a slow phase of the machine cancels out.
      versusTheirs.push((round.ours as number) / (round.theirs as number));
      versusFloor.push((round.ours as number) / (round.floor as number));
    }
    // Rounds alternate ours first / ours last: the paired median cancels the order effect.
    const o = Math.round(median(samples.ours));
    const t = Math.round(median(samples.theirs));
    const f = Math.round(median(samples.floor));
    return [
      {
        bench: 'ratelimit.redis.allow',
        ours: o,
        anchor: 'rate-limiter-flexible',
        anchorOps: t,
        ratio: Number(pairedMedian(versusTheirs).toFixed(2)),
      },
      {
        bench: 'ratelimit.redis.limit',
        ours: o,
        anchor: 'raw EVALSHA INCR+PEXPIRE',
        anchorOps: f,
        ratio: Number(pairedMedian(versusFloor).toFixed(2)),
      },
    ];
  } finally {
    oursClient.disconnect();
    theirsClient.disconnect();
    floorClient.disconnect();
  }
}

export async function ratelimitBench(): Promise<Result[]> {
  const only = process.env.BENCH_ONLY;
  if (only === 'allow')
    return [await memoryAllow(), await memoryAllowScanned(), await memoryAllowSameKeys(), await memoryAllowFreshKeys()];
  if (only === 'samekeys') return [await memoryAllowSameKeys()];
  if (only === 'newkey') return [await memoryNewKey()];
  if (only === 'redis') return redisBenches();
  const memory = [
    await memoryAllow(),
    await memoryAllowScanned(),
    await memoryAllowSameKeys(),
    await memoryAllowFreshKeys(),
    await memoryReject(),
    await memoryNewKey(),
    await expressRateLimitMemory(),
  ];
  return only === 'memory' ? memory : [...memory, ...(await redisBenches())];
}
