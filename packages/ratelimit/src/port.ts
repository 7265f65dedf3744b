import type { Algorithm } from './algorithms.js';

/** One limit to check for one request. */
export interface LimitCheck {
  /**
   * The limit's namespace: `<policy>:<limit>` for a policy's checks, built once when the
   * policy is compiled, so each request passes the same string.
   */
  readonly scope: string;
  /** What the limit counts within its scope: the client key (IP group, principal...). */
  readonly key: string;
  /**
   * Optional. Which checks may be stored together: the caller's statement, not a store's
   * detail. A caller that sets it gives every check of one `(scope, key)` the same value
   * (so a store may place or name a key by it), and the checks of one call share it. A
   * policy sets it to the key when all its limits count the same kind of key (all `ip`,
   * say), so a Redis Cluster spreads the policy by client; otherwise it leaves it out.
   * A store that keeps everything in one place ignores it.
   *
   * It stays in the port because no store can work it out from a call: a policy that
   * mixes `ip` and `principal` limits sends only its `ip` check for an anonymous request,
   * and a store that placed such a lone check by its key would keep that limit's counter
   * in two places (by client for anonymous requests, by policy for signed-in ones).
   */
  readonly shard?: string | undefined;
  /**
   * Optional. `canonicalIpv4Value(key)` from `@bulwark/core`: a fact about the key (its
   * 32-bit address when the key is a canonical dotted quad, else -1), never a store's own
   * data; a caller that sets it must set exactly that. A policy sets it for `ip` limits,
   * from the pass over the client address that finds the key anyway. A store may use it
   * to skip parsing the key (the memory store indexes IPv4 keys by it, and computes it
   * when it is absent, so a key counts the same either way); others ignore it.
   *
   * It stays in the port because computing it in the store costs the allow path what
   * takes it below its target of 2: `ratelimit.memory.allow.derived` (the store computing
   * it) gave 1.35 to 1.80 in four runs of 2026-12-02 where `memory.allow` gave 1.81 to
   * 2.60 (docs/performance.md).
   */
  readonly ipv4?: number | undefined;
  readonly limit: number;
  readonly windowMs: number;
  /** Block the key this long after it is exceeded; 0 for no block. */
  readonly blockMs: number;
}

/** A key within its limit's scope: what `reset` forgets. */
export type StoreKey = Pick<LimitCheck, 'scope' | 'key' | 'shard' | 'ipv4'>;

/**
 * The outcome of one limit: its state after the request. When any limit refuses, nothing
 * is consumed, and the limits that would have allowed report their state unconsumed.
 */
export interface LimitOutcome {
  readonly allowed: boolean;
  readonly remaining: number;
  readonly resetMs: number;
  readonly retryAfterMs: number;
}

export interface ConsumeResult {
  /** True when every limit allowed the request, and so every limit consumed `cost`. */
  readonly allowed: boolean;
  /** The store's clock (Redis `TIME` for Redis), ms since the epoch. */
  readonly now: number;
  readonly outcomes: readonly LimitOutcome[];
}

/**
 * The rate-limit storage port: the few atomic operations a limiter needs. `consume` checks
 * every limit of a request in one atomic step: if any limit refuses, nothing is consumed
 * (limits that refused start their block, if they have one). `now` overrides the store's
 * clock; it exists for tests and differential checks.
 *
 * `deadline` (optional, `Date.now()` milliseconds) is when the caller stops waiting: the
 * failure policy passes it, and answers from its failure mode after it. A store whose
 * operation can still run later (a command queued on a stalled Redis) must make sure that
 * an operation starting after the deadline changes nothing, and reject instead of
 * answering; a store that answers synchronously (the memory store) ignores it. Stores
 * ignore it when `now` is given (synthetic time has no deadline). `peek` changes nothing,
 * so it has none.
 */
export interface RateLimitStore {
  readonly name: string;
  /**
   * `true` when every call answers synchronously (never a Promise) and `deadline` means
   * nothing to the store: the failure policy then reads no clock for it, one `Date.now()`
   * fewer per request (the memory store). A store that says so and returns a Promise
   * anyway still gets the timeout, only without a deadline of its own.
   */
  readonly synchronous?: boolean | undefined;
  consume(
    algorithm: Algorithm,
    checks: readonly LimitCheck[],
    cost: number,
    now?: number,
    deadline?: number,
  ): Promise<ConsumeResult> | ConsumeResult;
  /** The outcomes `consume` would give for `cost`, without consuming or blocking. */
  peek(
    algorithm: Algorithm,
    checks: readonly LimitCheck[],
    cost: number,
    now?: number,
  ): Promise<ConsumeResult> | ConsumeResult;
  /** Gives back `cost` to each key (never below empty, keeping the key's expiry). */
  refund(
    algorithm: Algorithm,
    checks: readonly LimitCheck[],
    cost: number,
    now?: number,
    deadline?: number,
  ): Promise<void> | void;
  /** Forgets keys entirely (counters and blocks). */
  reset(keys: readonly StoreKey[], deadline?: number): Promise<void> | void;
}
