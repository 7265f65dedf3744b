import { type Clock, ConfigError, systemClock } from '@bulwark/core';
import { type Algorithm, refundState } from './algorithms.js';
import { decide, type KeyRecord } from './evaluate.js';
import type { ConsumeResult, LimitCheck, RateLimitStore } from './port.js';

/** One key: the algorithm state inline (no nested arrays), the block and the expiry. */
interface Entry {
  a: number;
  b: number;
  c: number;
  blocked: number;
  expires: number;
  /** Until when the key has no room left: eviction spares it until then. */
  full: number;
}

export interface MemoryStoreOptions {
  /** Most keys kept. Default 100,000 (about 13 MB at ~130 bytes a key). */
  readonly maxKeys?: number;
  readonly clock?: Clock;
}

/** Thrown when the store is full of keys that are all currently limited. */
export class StoreFullError extends Error {
  constructor() {
    super('memory rate-limit store is full of active limits');
    this.name = 'StoreFullError';
  }
}

const SWEEP_BATCH = 32;

/** The memory store answers synchronously. */
export interface MemoryRateLimitStore extends RateLimitStore {
  readonly size: number;
  consume(algorithm: Algorithm, checks: readonly LimitCheck[], cost: number, now?: number): ConsumeResult;
  peek(algorithm: Algorithm, checks: readonly LimitCheck[], cost: number, now?: number): ConsumeResult;
  refund(algorithm: Algorithm, checks: readonly LimitCheck[], cost: number, now?: number): void;
  reset(keys: readonly string[]): void;
}

/**
 * The in-memory store: the default and the reference implementation of the port. No timer
 * per key: expired keys are dropped when read, and a small sweep runs on each insert.
 * Memory is bounded by `maxKeys`; at the cap the oldest keys that are *not currently
 * limited* are evicted. A key that is blocked or has no room left is never evicted (that
 * would silently reset an active limit): if every candidate is limited, `consume` throws
 * `StoreFullError` and the policy's failure mode decides.
 *
 * @example
 * ```ts
 * const store = memoryStore({ maxKeys: 50_000 });
 * const limiter = rateLimitPolicy({ store, limits: [{ name: 'anon', key: 'ip', limit: 100, window: '1m' }] });
 * ```
 */
export function memoryStore(options: MemoryStoreOptions = {}): MemoryRateLimitStore {
  const maxKeys = options.maxKeys ?? 100_000;
  if (!Number.isSafeInteger(maxKeys) || maxKeys < 1) throw new ConfigError('maxKeys', 'expected a positive integer');
  const clock = options.clock ?? systemClock;
  const entries = new Map<string, Entry>();
  let sweeper: Iterator<[string, Entry]> = entries.entries();

  const read = (key: string, now: number): Entry | undefined => {
    const entry = entries.get(key);
    if (entry !== undefined && entry.expires <= now) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };
  const record = (entry: Entry | undefined): KeyRecord =>
    entry === undefined
      ? { state: undefined, blockedUntil: 0 }
      : { state: entry.a < 0 ? undefined : [entry.a, entry.b, entry.c], blockedUntil: entry.blocked };

  const sweep = (now: number) => {
    for (let i = 0; i < SWEEP_BATCH; i++) {
      let next = sweeper.next();
      if (next.done) {
        sweeper = entries.entries();
        next = sweeper.next();
        if (next.done) return;
      }
      const [key, entry] = next.value;
      if (entry.expires <= now) entries.delete(key);
    }
  };
  const limitedNow = (entry: Entry, now: number) => entry.blocked > now || entry.full > now;
  const makeRoom = (now: number) => {
    sweep(now);
    if (entries.size < maxKeys) return;
    // Oldest first (insertion order); skip keys that are limited right now.
    let scanned = 0;
    for (const [key, entry] of entries) {
      if (++scanned > 256) break;
      if (!limitedNow(entry, now)) {
        entries.delete(key);
        return;
      }
    }
    throw new StoreFullError();
  };

  const run = (
    algorithm: Algorithm,
    checks: readonly LimitCheck[],
    cost: number,
    now: number,
    commit: boolean,
  ): ConsumeResult => {
    const current = checks.map((check) => read(check.key, now));
    const { result, writes } = decide(algorithm, checks, current.map(record), cost, now, commit);
    writes.forEach((write, i) => {
      if (write === undefined) return;
      const key = (checks[i] as LimitCheck).key;
      let entry = current[i];
      if (entry === undefined) {
        if (entries.size >= maxKeys) makeRoom(now);
        entry = { a: -1, b: 0, c: 0, blocked: 0, expires: 0, full: 0 };
        entries.set(key, entry);
      }
      if (write.state !== undefined) {
        entry.a = write.state[0];
        entry.b = write.state[1];
        entry.c = write.state[2];
      }
      if (write.blockedUntil !== undefined) entry.blocked = write.blockedUntil;
      entry.expires = Math.max(entry.expires, now + write.ttlMs);
    });
    if (commit) {
      result.outcomes.forEach((outcome, i) => {
        if (outcome.allowed && outcome.remaining > 0) return;
        const entry = current[i] ?? entries.get((checks[i] as LimitCheck).key);
        if (entry !== undefined)
          entry.full = Math.max(entry.full, now + Math.max(outcome.resetMs, outcome.retryAfterMs));
      });
    }
    return result;
  };

  return {
    name: 'memory',
    get size() {
      return entries.size;
    },
    consume: (algorithm, checks, cost, now = clock.now()) => run(algorithm, checks, cost, now, true),
    peek: (algorithm, checks, cost, now = clock.now()) => run(algorithm, checks, cost, now, false),
    refund(algorithm, checks, cost, now = clock.now()) {
      for (const check of checks) {
        const entry = read(check.key, now);
        if (entry === undefined || entry.a < 0) continue;
        const next = refundState(algorithm, [entry.a, entry.b, entry.c], now, cost, check.limit, check.windowMs);
        entry.a = next[0];
        entry.b = next[1];
        entry.c = next[2];
      }
    },
    reset(keys) {
      for (const key of keys) entries.delete(key);
    },
  };
}
