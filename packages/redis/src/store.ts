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
import { CHECK_SCRIPTS, FIXED_WINDOW_REFUND_SCRIPT, REFUND_SCRIPT, RESET_SCRIPT } from './lua.js';

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
const RESET_COMMAND = 'bulwarkRateLimitReset';
/** The compact fixed-window call takes limits below 2^20; the deadline rides above (lua.ts). */
const COMPACT_LIMIT = 2 ** 20;
const TWO_32 = 2 ** 32;
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
  if (typeof (client as unknown as Record<string, unknown>)[RESET_COMMAND] !== 'function') {
    client.defineCommand(RESET_COMMAND, { lua: RESET_SCRIPT });
  }
}

/**
 * A script reached Redis after its caller's deadline and changed nothing (lua.ts,
 * `expiredIf`): the caller has answered, or is about to answer, from its failure mode.
 */
class RedisDeadlineError extends Error {
  constructor() {
    super('the Redis script started after its deadline and changed nothing');
    this.name = 'RedisDeadlineError';
  }
}

/**
 * The fixed-window reply (now, then per key the count before this request and the end of
 * a running block) decided by `decide`, the rules the memory store uses: the script has
 * already applied the same decision atomically; this only turns the state into outcomes.
 */
function fixedWindowResult(
  values: ReadonlyArray<number | string>,
  checks: readonly LimitCheck[],
  cost: number,
  commit: boolean,
): ConsumeResult {
  // Number(): a client created with ioredis's `stringNumbers` answers integers as strings.
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

function parseReply(values: ReadonlyArray<number | string>, count: number): ConsumeResult {
  // Number(): see fixedWindowResult.
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
 * A call given a deadline (the failure policy gives one) changes nothing if its script
 * starts after it: a stalled Redis that resumes does not count requests that were already
 * answered by the failure mode.
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
  /**
   * Redis's clock minus this machine's (ms), learned from every reply that carries Redis's
   * `now`: the last one wins, so a clock that jumps (either one) is followed from the next
   * reply on. `now` is read before the reply is handled here, so the estimate is low by the
   * reply's transit: a deadline translated with it comes early, never late (a script
   * arriving late never counts; one arriving near the deadline may be refused in vain).
   * 0 until the first reply: the clocks are taken to agree (see the README).
   */
  let offset = 0;
  /** A caller's deadline in Redis's clock; undefined when there is none or `now` is given. */
  const redisDeadline = (deadline: number | undefined, now: number | undefined): number | undefined =>
    deadline === undefined || now !== undefined ? undefined : Math.floor(deadline + offset);
  /**
   * A table reply: learns the offset (unless the call gave a synthetic `now`, which the
   * reply echoes) and rejects an expired reply (`{ now, -1 }`).
   */
  const table = (reply: unknown, now?: number): ReadonlyArray<number | string> => {
    const values = reply as ReadonlyArray<number | string>;
    if (now === undefined) offset = Number(values[0]) - Date.now();
    if (Number(values[1]) === -1) throw new RedisDeadlineError();
    return values;
  };
  /** A refund's or a reset's reply: an integer, or the expired table. */
  const changed = (reply: unknown): void => {
    if (Array.isArray(reply)) table(reply);
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
    deadline: number | undefined,
  ): Promise<ConsumeResult> => {
    const check = checks[0] as LimitCheck;
    if (
      checks.length === 1 &&
      cost === 1 &&
      check.blockMs === 0 &&
      now === undefined &&
      commit &&
      check.limit < COMPACT_LIMIT
    ) {
      // The compact call (see lua.ts): two arguments instead of four or more, the deadline
      // packed with the limit.
      let limit = check.limit;
      if (deadline !== undefined) {
        const until = Math.floor(deadline + offset);
        // Division, not `%`: on numbers past 2^31 V8's `%` is a call to fmod.
        limit += COMPACT_LIMIT * (1 + until - Math.floor(until / TWO_32) * TWO_32);
      }
      const sent = fixedWindowScript(1, keyOf('fixed-window', check, hashTag(check)), limit, check.windowMs);
      return sent.then((reply) => {
        // One integer (a string under `stringNumbers`), or a table for large counts and expiry.
        if (Array.isArray(reply)) return fixedWindowResult(table(reply), checks, cost, commit);
        const localNow = Date.now();
        const values = unpackCompact(Number(reply), localNow);
        offset = values[0] - localNow;
        return fixedWindowResult(values, checks, cost, commit);
      });
    }
    const args: Array<string | number> = keysOf('fixed-window', checks);
    args.push(cost);
    for (const check of checks) args.push(check.limit, check.windowMs, check.blockMs);
    const until = commit ? redisDeadline(deadline, now) : undefined;
    if (until !== undefined) args.push('', 1, until);
    else {
      if (now !== undefined || !commit) args.push(now ?? '');
      if (!commit) args.push(0);
    }
    return fixedWindowScript(checks.length, ...args).then((reply) =>
      fixedWindowResult(table(reply, now), checks, cost, commit),
    );
  };
  const call = (
    algorithm: Algorithm,
    checks: readonly LimitCheck[],
    cost: number,
    now: number | undefined,
    commit: boolean,
    deadline: number | undefined,
  ): Promise<ConsumeResult> => {
    try {
      if (checks.length === 0) return Promise.resolve({ now: now ?? Date.now(), allowed: true, outcomes: [] });
      if (algorithm === 'fixed-window') return fixedWindow(checks, cost, now, commit, deadline);
      return packed(algorithm, checks, cost, now, commit, deadline);
    } catch (error) {
      // A bad hash tag is a rejection, like every other store failure.
      return Promise.reject(error);
    }
  };
  /** A packed head's optional deadline (see lua.ts): ' <deadline>', or nothing. */
  const headDeadline = (deadline: number | undefined, now: number | undefined): string => {
    const until = redisDeadline(deadline, now);
    return until === undefined ? '' : ` ${until}`;
  };
  // The other algorithms: arguments travel packed ("now cost commit [deadline]", then
  // "limit window block" per key): fewer arguments to encode per call.
  const packed = async (
    algorithm: Algorithm,
    checks: readonly LimitCheck[],
    cost: number,
    now: number | undefined,
    commit: boolean,
    deadline: number | undefined,
  ): Promise<ConsumeResult> => {
    const script = scripts[algorithm];
    const head = `${now === undefined ? '' : now} ${cost} ${commit ? 1 : 0}${commit ? headDeadline(deadline, now) : ''}`;
    const keys = keysOf(algorithm, checks);
    if (checks.length === 1) {
      const check = checks[0] as LimitCheck;
      return parseReply(
        table(await script(1, keys[0] as string, head, `${check.limit} ${check.windowMs} ${check.blockMs}`), now),
        1,
      );
    }
    const args: string[] = [...keys, head];
    for (const check of checks) args.push(`${check.limit} ${check.windowMs} ${check.blockMs}`);
    return parseReply(table(await script(checks.length, ...args), now), checks.length);
  };

  return {
    name: 'redis',
    consume: (algorithm, checks, cost, now, deadline) => call(algorithm, checks, cost, now, true, deadline),
    peek: (algorithm, checks, cost, now) => call(algorithm, checks, cost, now, false, undefined),
    async refund(algorithm, checks, cost, now, deadline) {
      if (checks.length === 0) return;
      const at = now === undefined ? '' : now;
      if (algorithm === 'fixed-window') {
        const args: Array<string | number> = [...keysOf(algorithm, checks), at, cost];
        for (const check of checks) args.push(check.windowMs);
        const until = redisDeadline(deadline, now);
        if (until !== undefined) args.push(until);
        changed(await (commands[FIXED_WINDOW_REFUND_COMMAND] as ScriptCall)(checks.length, ...args));
        return;
      }
      const head = `${at} ${cost} 1${headDeadline(deadline, now)}`;
      const args: string[] = [...keysOf(algorithm, checks), head, algorithm];
      for (const check of checks) args.push(`${check.limit} ${check.windowMs}`);
      changed(await (commands[REFUND_COMMAND] as ScriptCall)(checks.length, ...args));
    },
    async reset(keys, deadline) {
      if (keys.length === 0) return;
      // The port names keys, not algorithms: forget the key under every layout. A script,
      // not DEL, so that a reset arriving after its deadline forgets nothing.
      const all = ALGORITHMS.flatMap((algorithm) => keysOf(algorithm, keys));
      const until = redisDeadline(deadline, undefined);
      changed(await (commands[RESET_COMMAND] as ScriptCall)(all.length, ...all, until ?? ''));
    },
  };
}
