import { BulwarkError, type Clock, ConfigError, checkOptions, systemClock } from '@bulwark/core';
import type { ClearTarget, LockoutRules, LockoutStatus, LockoutStore, LockoutTarget } from './port.js';
import { accountLifetime, EMPTY_STATE, lifetime, nextEpoch, type ScopeState } from './steps.js';
import { currentStates, refundStep, reserveStep, type ScopeStates, statusOf } from './transitions.js';

export interface MemoryLockoutStoreOptions {
  /** The store's time. Default the system clock. */
  readonly clock?: Clock | undefined;
  /** Most records held (three per account and IP pair at most). Default 100,000. */
  readonly maxEntries?: number | undefined;
}

interface Entry {
  readonly state: ScopeState;
  readonly expiresAt: number;
}

/** How many of the oldest records one write looks at to make room. */
const SCAN = 64;

// NUL cannot appear in a tag or an IP key, so the three key spaces never meet.
const pairKey = (t: LockoutTarget) => `p\u0000${t.account}\u0000${t.ip}`;
const accountKey = (account: string) => `a\u0000${account}`;
const ipKey = (ip: string) => `i\u0000${ip}`;

class StoreFullError extends BulwarkError {
  constructor(max: number) {
    super('store_full', `the memory lockout store holds ${max} records, all of them locks in force`);
    this.name = 'StoreFullError';
  }
}

/**
 * The in-memory lockout store: the default, for one process. Every operation runs in one
 * synchronous turn, so it is atomic without locks. Memory is bounded: records carry their
 * expiry (no timers) and are dropped once read past it; at `maxEntries` a write first drops
 * expired records among the oldest written, then the oldest written record that holds no
 * lock in force (its count is forgotten: the failures it counted are the least recent).
 * A lock in force is never evicted: when the oldest records are all locks, the write fails
 * with `store_full` (a 503), refusing sign-ins rather than unlocking anyone.
 *
 * @example
 * ```ts
 * const store = memoryLockoutStore({ maxEntries: 50_000 });
 * const signIns = lockout({ store });
 * ```
 */
export function memoryLockoutStore(options: MemoryLockoutStoreOptions = {}): LockoutStore {
  checkOptions(options, ['clock', 'maxEntries']);
  const clock = options.clock ?? systemClock;
  if (typeof clock?.now !== 'function') throw new ConfigError('clock', 'expected a Clock ({ now(): number })');
  const maxEntries = options.maxEntries ?? 100_000;
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 3) {
    throw new ConfigError('maxEntries', 'expected an integer of at least 3 (one attempt writes three records)');
  }
  const entries = new Map<string, Entry>();

  const read = (key: string, now: number): ScopeState => {
    const entry = entries.get(key);
    if (entry === undefined) return EMPTY_STATE;
    if (entry.expiresAt <= now) {
      entries.delete(key);
      return EMPTY_STATE;
    }
    return entry.state;
  };

  /** Makes room for `needed` new records, or throws before anything is written (all or nothing). */
  const makeRoom = (needed: number, now: number): void => {
    // Before any iterator: a Map's iterator walks past the holes its deletes left at the
    // front (every rewrite deletes), so starting one when there is room costs O(holes).
    if (entries.size + needed <= maxEntries) return;
    let scanned = 0;
    for (const [key, entry] of entries) {
      if (entries.size + needed <= maxEntries) return;
      if (++scanned > SCAN) break;
      if (entry.expiresAt <= now || entry.state.lockedUntil <= now) entries.delete(key);
    }
    if (entries.size + needed > maxEntries) throw new StoreFullError(maxEntries);
  };

  const write = (key: string, state: ScopeState, ttl: number, now: number): void => {
    // Delete first: a rewritten record moves to the end of the Map's order (newest).
    entries.delete(key);
    if (ttl <= 0) return;
    makeRoom(1, now);
    entries.set(key, { state, expiresAt: now + ttl });
  };

  const readAll = (target: LockoutTarget, now: number): ScopeStates => ({
    pair: read(pairKey(target), now),
    account: read(accountKey(target.account), now),
    ip: read(ipKey(target.ip), now),
  });

  return {
    reserve(target, rules) {
      const now = clock.now();
      const step = reserveStep(readAll(target, now), rules, now);
      if (step.next !== undefined) writeAll(target, step.next, rules, now);
      return step.answer;
    },
    refund(target, rules, engaged, kind) {
      const now = clock.now();
      const step = refundStep(readAll(target, now), rules, engaged, now, kind);
      const pair = step.next.pair;
      if (pair === undefined) entries.delete(pairKey(target));
      else write(pairKey(target), pair, lifetime(pair, now), now);
      write(accountKey(target.account), step.next.account, accountLifetime(step.next.account, rules.pair, now), now);
      write(ipKey(target.ip), step.next.ip, lifetime(step.next.ip, now), now);
      return step.answer;
    },
    clear(target: ClearTarget, rules: LockoutRules) {
      const now = clock.now();
      if (target.account !== undefined) {
        const key = accountKey(target.account);
        const cleared = { ...EMPTY_STATE, epoch: nextEpoch(read(key, now), now) };
        write(key, cleared, accountLifetime(cleared, rules.pair, now), now);
      }
      if (target.ip !== undefined) entries.delete(ipKey(target.ip));
      return { now };
    },
    inspect(target, _rules): LockoutStatus {
      const now = clock.now();
      const states = currentStates(readAll(target, now), now);
      return {
        now,
        pair: statusOf(states.pair, now),
        account: statusOf(states.account, now),
        ip: statusOf(states.ip, now),
      };
    },
  };

  function writeAll(target: LockoutTarget, next: ScopeStates, rules: LockoutRules, now: number): void {
    const keys = [pairKey(target), accountKey(target.account), ipKey(target.ip)];
    makeRoom(keys.filter((key) => !entries.has(key)).length, now);
    write(pairKey(target), next.pair, lifetime(next.pair, now), now);
    write(accountKey(target.account), next.account, accountLifetime(next.account, rules.pair, now), now);
    write(ipKey(target.ip), next.ip, lifetime(next.ip, now), now);
  }
}
