import type { Clock } from '@bulwark/core';
import {
  type Algorithm,
  type AlgorithmState,
  type ConsumeResult,
  type LimitCheck,
  type LimitOutcome,
  type RateLimitStore,
  refundState,
  type Step,
  type StoreKey,
  step,
} from '@bulwark/ratelimit';

/** What the reference store keeps for one key of one scope. */
interface Entry {
  /** The algorithm's state; undefined while the key holds only a block. */
  state: AlgorithmState | undefined;
  /** Refused until this time (ms); 0 when never blocked. */
  blockedUntil: number;
  /** The entry means nothing from this time on (ms): it reads as absent. */
  expiresAt: number;
}

export interface ReferenceStoreOptions {
  /** The store's clock when a call gives no `now`. Default `Date.now()`. */
  readonly clock?: Clock;
}

/** The reference store answers synchronously, like the memory store. */
export interface ReferenceRateLimitStore extends RateLimitStore {
  /** Entries held, expired ones included until they are read. */
  readonly size: number;
  consume(algorithm: Algorithm, checks: readonly LimitCheck[], cost: number, now?: number): ConsumeResult;
  peek(algorithm: Algorithm, checks: readonly LimitCheck[], cost: number, now?: number): ConsumeResult;
  refund(algorithm: Algorithm, checks: readonly LimitCheck[], cost: number, now?: number): void;
  reset(keys: readonly StoreKey[]): void;
}

/**
 * The readable reference of the rate-limit store port: a `Map` per scope and the pure
 * algorithms of `@bulwark/ratelimit` (`step`, `refundState`), with the port's rules
 * written out once, plainly. It is what every other store is diffed against (see
 * `expectSameDecisions`), not a store to deploy: nothing bounds its memory (no eviction;
 * an expired entry is dropped only when it is read), and it ignores the port's optional
 * hints (`shard`, `ipv4`) and `deadline`, which change no decision.
 *
 * The rules, for `consume(algorithm, checks, cost, now)`:
 * 1. each check's key is read in its scope; an entry whose expiry has passed is absent;
 * 2. each limit takes one algorithm step with `cost`; a key blocked beyond `now` refuses
 *    whatever the step says, and reports the block as its wait;
 * 3. if every limit allows, every limit stores its step's state and keeps its key at
 *    least the step's TTL; if any refuses, nothing is consumed: a limit that would have
 *    allowed reports its state as it stays (a step of cost 0), and a refusing limit with
 *    a block that is not already blocked starts the block (and reports it as its wait).
 *
 * `peek` is rule 1 and 2 and the reports of rule 3, writing nothing. `refund` gives `cost`
 * back to each key that has a state (`refundState`), keeping its expiry and its block.
 * `reset` forgets keys.
 *
 * @example
 * ```ts
 * import { memoryStore } from '@bulwark/ratelimit';
 * import { referenceRateLimitStore } from '@bulwark/testkit';
 *
 * const reference = referenceRateLimitStore();
 * const store = memoryStore();
 * const checks = [{ scope: 'api:anon', key: '203.0.113.7', limit: 5, windowMs: 60_000, blockMs: 0 }];
 * // Both: { allowed: true, now: 1000, outcomes: [{ allowed: true, remaining: 4, resetMs: 12000, retryAfterMs: 0 }] }
 * console.log(reference.consume('gcra', checks, 1, 1_000), store.consume('gcra', checks, 1, 1_000));
 * ```
 */
export function referenceRateLimitStore(options: ReferenceStoreOptions = {}): ReferenceRateLimitStore {
  const clock = options.clock;
  const timeNow = (): number => (clock === undefined ? Date.now() : clock.now());
  const scopes = new Map<string, Map<string, Entry>>();

  /** The live entry of a key, or undefined (an expired one is dropped). */
  const read = (scope: string, key: string, now: number): Entry | undefined => {
    const keys = scopes.get(scope);
    const entry = keys?.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= now) {
      keys?.delete(key);
      return undefined;
    }
    return entry;
  };

  /** The entry of a key, created empty when there is none. */
  const entryFor = (scope: string, key: string): Entry => {
    let keys = scopes.get(scope);
    if (keys === undefined) {
      keys = new Map();
      scopes.set(scope, keys);
    }
    let entry = keys.get(key);
    if (entry === undefined) {
      entry = { state: undefined, blockedUntil: 0, expiresAt: 0 };
      keys.set(key, entry);
    }
    return entry;
  };

  const keepUntil = (entry: Entry, until: number): void => {
    entry.expiresAt = Math.max(entry.expiresAt, until);
  };

  const check = (
    algorithm: Algorithm,
    checks: readonly LimitCheck[],
    cost: number,
    now: number,
    commit: boolean,
  ): ConsumeResult => {
    const entries = checks.map((c) => read(c.scope, c.key, now));
    const steps: Step[] = checks.map((c, i) => step(algorithm, entries[i]?.state, now, cost, c.limit, c.windowMs));
    const blockedUntil = (i: number): number => entries[i]?.blockedUntil ?? 0;
    const outcomes: LimitOutcome[] = steps.map((s, i) => {
      const blocked = blockedUntil(i);
      if (blocked > now) {
        const wait = blocked - now;
        return { allowed: false, remaining: 0, resetMs: Math.max(s.resetMs, wait), retryAfterMs: wait };
      }
      return { allowed: s.allowed, remaining: s.remaining, resetMs: s.resetMs, retryAfterMs: s.retryAfterMs };
    });
    const allowed = outcomes.every((o) => o.allowed);

    if (allowed) {
      if (commit)
        checks.forEach((c, i) => {
          const s = steps[i] as Step;
          const entry = entryFor(c.scope, c.key);
          entry.state = s.next;
          keepUntil(entry, now + s.ttlMs);
        });
      return { allowed, now, outcomes };
    }

    const reported = outcomes.map((outcome, i): LimitOutcome => {
      const c = checks[i] as LimitCheck;
      if (outcome.allowed) {
        // Nothing is consumed: report the state as it stays.
        const idle = step(algorithm, entries[i]?.state, now, 0, c.limit, c.windowMs);
        return { allowed: true, remaining: idle.remaining, resetMs: idle.resetMs, retryAfterMs: 0 };
      }
      const startsBlock = c.blockMs > 0 && blockedUntil(i) <= now;
      if (!startsBlock || !commit) return outcome;
      const entry = entryFor(c.scope, c.key);
      entry.blockedUntil = now + c.blockMs;
      keepUntil(entry, now + Math.max(c.blockMs, (steps[i] as Step).ttlMs));
      return { allowed: false, remaining: 0, resetMs: c.blockMs, retryAfterMs: c.blockMs };
    });
    return { allowed, now, outcomes: reported };
  };

  return {
    name: 'reference',
    get size() {
      let size = 0;
      for (const keys of scopes.values()) size += keys.size;
      return size;
    },
    consume: (algorithm, checks, cost, now) => check(algorithm, checks, cost, now ?? timeNow(), true),
    peek: (algorithm, checks, cost, now) => check(algorithm, checks, cost, now ?? timeNow(), false),
    refund(algorithm, checks, cost, now = timeNow()) {
      for (const c of checks) {
        const entry = read(c.scope, c.key, now);
        if (entry?.state === undefined) continue;
        entry.state = refundState(algorithm, entry.state, now, cost, c.limit, c.windowMs);
      }
    },
    reset(keys) {
      for (const { scope, key } of keys) scopes.get(scope)?.delete(key);
    },
  };
}
