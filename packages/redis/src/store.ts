import { ConfigError } from '@bulwark/core';
import type { Algorithm, ConsumeResult, LimitCheck, LimitOutcome, RateLimitStore } from '@bulwark/ratelimit';
import type { Cluster, Redis } from 'ioredis';
import { CHECK_SCRIPTS, REFUND_SCRIPT } from './lua.js';

export interface RedisStoreOptions {
  /** Key prefix. Default `bulwark:rl`. */
  readonly prefix?: string;
  /**
   * The hash tag of a store key. Every key of one check must share it so that the script
   * runs on one Cluster node. Default: the policy name, so a policy's keys live in one
   * slot; run several policies (or pass your own function) to spread load.
   */
  readonly hashTag?: (checkKey: string) => string;
}

const COMMAND_NAMES: Readonly<Record<Algorithm, string>> = {
  'fixed-window': 'bulwarkRateLimitFixedWindow',
  'sliding-window': 'bulwarkRateLimitSlidingWindow',
  'token-bucket': 'bulwarkRateLimitTokenBucket',
  gcra: 'bulwarkRateLimitGcra',
};
const REFUND_COMMAND = 'bulwarkRateLimitRefund';

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
}

function parseReply(reply: unknown, count: number): ConsumeResult {
  const values = reply as number[];
  const outcomes: LimitOutcome[] = [];
  for (let i = 0; i < count; i++) {
    const base = 2 + i * 4;
    outcomes.push({
      allowed: values[base] === 1,
      remaining: Number(values[base + 1]),
      resetMs: Number(values[base + 2]),
      retryAfterMs: Number(values[base + 3]),
    });
  }
  return { now: Number(values[0]), allowed: values[1] === 1, outcomes };
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
  const hashTag = options.hashTag ?? ((key: string) => key.slice(0, Math.max(0, key.indexOf(':'))) || 'default');
  defineCommands(client);
  const commands = client as unknown as Record<string, ScriptCall>;
  // Bound once: ioredis command methods need the client as `this`.
  const scripts = Object.fromEntries(
    Object.entries(COMMAND_NAMES).map(([algorithm, name]) => [algorithm, (commands[name] as ScriptCall).bind(client)]),
  ) as Record<Algorithm, ScriptCall>;

  const keysOf = (checks: readonly LimitCheck[]): string[] => {
    const tag = hashTag((checks[0] as LimitCheck).key);
    const keys: string[] = new Array(checks.length);
    for (let i = 0; i < checks.length; i++) {
      const key = (checks[i] as LimitCheck).key;
      if (i > 0 && hashTag(key) !== tag)
        throw new ConfigError('hashTag', 'every key of one check must share a hash tag');
      keys[i] = `${prefix}:{${tag}}:${key}`;
    }
    return keys;
  };
  // Arguments travel packed ("now cost commit", then "limit window block" per key): fewer
  // arguments to encode per call, which is most of the client's cost.
  const call = async (
    algorithm: Algorithm,
    checks: readonly LimitCheck[],
    cost: number,
    now: number | undefined,
    commit: boolean,
  ) => {
    if (checks.length === 0) return { now: now ?? Date.now(), allowed: true, outcomes: [] };
    const script = scripts[algorithm];
    const head = `${now === undefined ? '' : now} ${cost} ${commit ? 1 : 0}`;
    const keys = keysOf(checks);
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
      const args: string[] = [...keysOf(checks), `${now === undefined ? '' : now} ${cost} 1`, algorithm];
      for (const check of checks) args.push(`${check.limit} ${check.windowMs}`);
      await (commands[REFUND_COMMAND] as ScriptCall)(checks.length, ...args);
    },
    async reset(keys) {
      if (keys.length === 0) return;
      const checks = keys.map((key) => ({ key, limit: 1, windowMs: 1, blockMs: 0 }));
      await client.del(...keysOf(checks));
    },
  };
}
