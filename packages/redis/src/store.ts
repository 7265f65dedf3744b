import { ConfigError } from '@bulwark/core';
import {
  ALGORITHMS,
  type Algorithm,
  type ConsumeResult,
  decide,
  type KeyRecord,
  type LimitCheck,
  type LimitOutcome,
  type RateLimitStore,
  type StoreKey,
} from '@bulwark/ratelimit';
import type { Cluster, Redis } from 'ioredis';
import { unpackCompact } from './compact-reply.js';
import { CHECK_SCRIPTS, FIXED_WINDOW_REFUND_SCRIPT, REFUND_SCRIPT } from './lua.js';

export interface RedisStoreOptions {
  /** Key prefix. Default `bulwark:rl`. */
  readonly prefix?: string;
  /**
   * The hash tag of a store key, from the check's scope (`<policy>:<limit>`), key and
   * shard. Every key of one check must share it so that the script runs on one Cluster
   * node. Default: the check's `shard` (which a policy sets to the client key when all its
   * limits count the same kind of key), else the scope up to its first `:` (the policy
   * name), which keeps such a policy in one slot.
   */
  readonly hashTag?: (check: StoreKey) => string;
}

const COMMAND_NAMES: Readonly<Record<Algorithm, string>> = {
  'fixed-window': 'bulwarkRateLimitFixedWindow',
  'sliding-window': 'bulwarkRateLimitSlidingWindow',
  'token-bucket': 'bulwarkRateLimitTokenBucket',
  gcra: 'bulwarkRateLimitGcra',
};
const REFUND_COMMAND = 'bulwarkRateLimitRefund';
const FIXED_WINDOW_REFUND_COMMAND = 'bulwarkRateLimitFixedWindowRefund';
/**
 * A segment per algorithm in every key: the layouts differ (fixed window is a hash, the
 * others a string), so a policy whose algorithm changes in a deploy starts fresh keys
 * instead of misreading (or failing on) the old ones.
 */
const KEY_SEGMENTS: Readonly<Record<Algorithm, string>> = {
  'fixed-window': 'fw',
  'sliding-window': 'sw',
  'token-bucket': 'tb',
  gcra: 'gcra',
};

type ScriptCall = (numberOfKeys: number, ...args: Array<string | number>) => Promise<unknown>;

function defineCommands(client: Redis | Cluster): void {
  // ioredis runs these with EVALSHA and falls back to EVAL on NOSCRIPT; a NOSCRIPT reply
  // means the script did not run, so the fallback cannot count twice.
  for (const [algorithm, name] of Object.entries(COMMAND_NAMES)) {
    if (typeof (client as unknown as Record<string, unknown>)[name] !== 'function') {
      client.defineCommand(name, { lua: CHECK_SCRIPTS[algorithm as Algorithm] });
    }
  }
  if (typeof (client as unknown as Record<string, unknown>)[REFUND_COMMAND] !== 'function') {
    client.defineCommand(REFUND_COMMAND, { lua: REFUND_SCRIPT });
  }
  if (typeof (client as unknown as Record<string, unknown>)[FIXED_WINDOW_REFUND_COMMAND] !== 'function') {
    client.defineCommand(FIXED_WINDOW_REFUND_COMMAND, { lua: FIXED_WINDOW_REFUND_SCRIPT });
  }
}

/**
 * The fixed-window reply (now, then per key the count before this request and the end of
 * a running block) decided by `decide`, the rules the memory store uses: the script has
 * already applied the same decision atomically; this only turns the state into outcomes.
 */
function fixedWindowResult(
  reply: unknown,
  checks: readonly LimitCheck[],
  cost: number,
  commit: boolean,
): ConsumeResult {
  // Number(): a client created with ioredis's `stringNumbers` answers integers as strings.
  const values = reply as Array<number | string>;
  const now = Number(values[0]);
  const records: KeyRecord[] = new Array(checks.length);
  for (let i = 0; i < checks.length; i++) {
    const windowMs = (checks[i] as LimitCheck).windowMs;
    records[i] = {
      state: [now - (now % windowMs), Number(values[1 + 2 * i]), 0],
      // One key without a running block answers only now and its count.
      blockedUntil: Number(values[2 + 2 * i] ?? 0),
    };
  }
  return decide('fixed-window', checks, records, cost, now, commit).result;
}

function parseReply(reply: unknown, count: number): ConsumeResult {
  // Number(): see fixedWindowResult.
  const values = reply as Array<number | string>;
  const outcomes: LimitOutcome[] = [];
  for (let i = 0; i < count; i++) {
    const base = 2 + i * 4;
    outcomes.push({
      allowed: Number(values[base]) === 1,
      remaining: Number(values[base + 1]),
      resetMs: Number(values[base + 2]),
      retryAfterMs: Number(values[base + 3]),
    });
  }
  return { now: Number(values[0]), allowed: Number(values[1]) === 1, outcomes };
}

/**
 * A rate-limit store on Redis (a `Redis` or a `Cluster` client from ioredis, which you
 * create and own). Every check is one script call, one round trip, whatever the number of
 * limits; time is Redis `TIME`, so app servers with skewed clocks agree; every key has a TTL.
 *
 * @example
 * ```ts
 * import Redis from 'ioredis';
 * const store = redisRateLimitStore(new Redis(process.env.REDIS_URL));
 * const limiter = rateLimitPolicy({ store, limits: [{ name: 'anon', limit: 100, window: '1m' }] });
 * ```
 */
export function redisRateLimitStore(client: Redis | Cluster, options: RedisStoreOptions = {}): RateLimitStore {
  if (client === null || typeof client !== 'object' || typeof (client as Redis).defineCommand !== 'function') {
    throw new ConfigError('client', 'expected an ioredis Redis or Cluster client');
  }
  const prefix = options.prefix ?? 'bulwark:rl';
  if (/[{}\s]/.test(prefix)) throw new ConfigError('prefix', 'must not contain braces or spaces');
  const hashTag =
    options.hashTag ??
    (({ scope, shard }: StoreKey) => {
      // An empty tag (`{}`) would not be one: Redis would hash each whole key apart.
      if (shard !== undefined && shard !== '') return shard;
      const colon = scope.indexOf(':');
      return (colon < 0 ? scope : scope.slice(0, colon)) || 'default';
    });
  defineCommands(client);
  const commands = client as unknown as Record<string, ScriptCall>;
  // Bound once: ioredis command methods need the client as `this`.
  const scripts = Object.fromEntries(
    Object.entries(COMMAND_NAMES).map(([algorithm, name]) => [algorithm, (commands[name] as ScriptCall).bind(client)]),
  ) as Record<Algorithm, ScriptCall>;

  /** `<prefix>:<algorithm>:{<tag>}:<scope>:<key>`, the layout since the first release. */
  const keyOf = (algorithm: Algorithm, check: StoreKey, tag: string): string =>
    `${prefix}:${KEY_SEGMENTS[algorithm]}:{${tag}}:${check.scope}:${check.key}`;
  const keysOf = (algorithm: Algorithm, checks: readonly StoreKey[]): string[] => {
    const tag = hashTag(checks[0] as StoreKey);
    const keys: string[] = new Array(checks.length);
    for (let i = 0; i < checks.length; i++) {
      const check = checks[i] as StoreKey;
      if (i > 0 && hashTag(check) !== tag)
        throw new ConfigError('hashTag', 'every key of one check must share a hash tag');
      keys[i] = keyOf(algorithm, check, tag);
    }
    return keys;
  };
  const fixedWindowScript = scripts['fixed-window'];
  // Fixed window: separate arguments (the script reads them without parsing); the common
  // call (Redis time, a consume) sends no time and no peek flag. Not async: one promise
  // per check instead of three.
  const fixedWindow = (
    checks: readonly LimitCheck[],
    cost: number,
    now: number | undefined,
    commit: boolean,
  ): Promise<ConsumeResult> => {
    const check = checks[0] as LimitCheck;
    if (checks.length === 1 && cost === 1 && check.blockMs === 0 && now === undefined && commit) {
      // The compact call (see lua.ts): two arguments instead of four.
      return fixedWindowScript(1, keyOf('fixed-window', check, hashTag(check)), check.limit, check.windowMs).then(
        // One integer (a string under `stringNumbers`), or the table for large counts.
        (reply) => fixedWindowResult(Array.isArray(reply) ? reply : unpackCompact(Number(reply)), checks, cost, commit),
      );
    }
    const args: Array<string | number> = keysOf('fixed-window', checks);
    args.push(cost);
    for (const check of checks) args.push(check.limit, check.windowMs, check.blockMs);
    if (now !== undefined || !commit) args.push(now ?? '');
    if (!commit) args.push(0);
    return fixedWindowScript(checks.length, ...args).then((reply) => fixedWindowResult(reply, checks, cost, commit));
  };
  const call = (
    algorithm: Algorithm,
    checks: readonly LimitCheck[],
    cost: number,
    now: number | undefined,
    commit: boolean,
  ): Promise<ConsumeResult> => {
    try {
      if (checks.length === 0) return Promise.resolve({ now: now ?? Date.now(), allowed: true, outcomes: [] });
      if (algorithm === 'fixed-window') return fixedWindow(checks, cost, now, commit);
      return packed(algorithm, checks, cost, now, commit);
    } catch (error) {
      // A bad hash tag is a rejection, like every other store failure.
      return Promise.reject(error);
    }
  };
  // The other algorithms: arguments travel packed ("now cost commit", then "limit window
  // block" per key): fewer arguments to encode per call.
  const packed = async (
    algorithm: Algorithm,
    checks: readonly LimitCheck[],
    cost: number,
    now: number | undefined,
    commit: boolean,
  ): Promise<ConsumeResult> => {
    const script = scripts[algorithm];
    const head = `${now === undefined ? '' : now} ${cost} ${commit ? 1 : 0}`;
    const keys = keysOf(algorithm, checks);
    if (checks.length === 1) {
      const check = checks[0] as LimitCheck;
      return parseReply(
        await script(1, keys[0] as string, head, `${check.limit} ${check.windowMs} ${check.blockMs}`),
        1,
      );
    }
    const args: string[] = [...keys, head];
    for (const check of checks) args.push(`${check.limit} ${check.windowMs} ${check.blockMs}`);
    return parseReply(await script(checks.length, ...args), checks.length);
  };

  return {
    name: 'redis',
    consume: (algorithm, checks, cost, now) => call(algorithm, checks, cost, now, true),
    peek: (algorithm, checks, cost, now) => call(algorithm, checks, cost, now, false),
    async refund(algorithm, checks, cost, now) {
      if (checks.length === 0) return;
      const at = now === undefined ? '' : now;
      if (algorithm === 'fixed-window') {
        const args: Array<string | number> = [...keysOf(algorithm, checks), at, cost];
        for (const check of checks) args.push(check.windowMs);
        await (commands[FIXED_WINDOW_REFUND_COMMAND] as ScriptCall)(checks.length, ...args);
        return;
      }
      const args: string[] = [...keysOf(algorithm, checks), `${at} ${cost} 1`, algorithm];
      for (const check of checks) args.push(`${check.limit} ${check.windowMs}`);
      await (commands[REFUND_COMMAND] as ScriptCall)(checks.length, ...args);
    },
    async reset(keys) {
      if (keys.length === 0) return;
      // The port names keys, not algorithms: forget the key under every layout.
      await client.del(...ALGORITHMS.flatMap((algorithm) => keysOf(algorithm, keys)));
    },
  };
}
