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
   * A placement hint for distributed stores: the checks of one request share it, and so
   * does every check of one key. A policy sets it to the key when all its limits count the
   * same kind of key (all `ip`, say), so a Redis Cluster spreads the policy by client.
   */
  readonly shard?: string | undefined;
  /**
   * The key as a number when the caller already knows it: `canonicalIpv4Value(key)` from
   * `@bulwark/core` (the 32-bit address when the key is a canonical IPv4 address, else -1).
   * A policy sets it for `ip` limits, from the pass that checks the address anyway. The
   * memory store indexes IPv4 keys by this number, and computes it when it is absent, so
   * it only saves work; it must never disagree with `key`. Other stores ignore it.
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
