import { canonicalIpv4Value, manualClock } from '@bulwark/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { memoryStore, StoreFullError } from './memory-store.js';
import type { LimitCheck } from './port.js';

const WINDOW = 60_000;
const check = (key: string, limit = 1, scope = 'p:l'): LimitCheck => ({
  scope,
  key,
  limit,
  windowMs: WINDOW,
  blockMs: 0,
});

// Both key kinds: IPv4 keys live in a table by number, other keys in a Map by string.
const kinds = [
  ['string keys', (i: number) => `user-${i}`],
  ['IPv4 keys', (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`],
] as const;

describe('memoryStore eviction at the cap', () => {
  it.each(kinds)(
    'admits a new client while any key is evictable, however many limited keys come first (%s)',
    (_, keyOf) => {
      // Issue #14: eviction examined 256 keys and refused the rest; 2,000 limited keys at
      // the head of the order made every new client a StoreFullError (503), with idle keys
      // in the store.
      const limited = 2_000;
      const idle = 1;
      const store = memoryStore({ clock: manualClock(0), maxKeys: limited + idle });
      for (let i = 0; i < limited; i++) store.consume('fixed-window', [check(keyOf(i))], 1); // limit 1: no room left
      for (let i = 0; i < idle; i++) store.consume('fixed-window', [check(keyOf(limited + i), 10)], 1);
      expect(store.size).toBe(limited + idle);
      // Each newcomer has room left, so it is the next one's evictable key.
      for (let n = 0; n < 5; n++) {
        expect(store.consume('fixed-window', [check(keyOf(100_000 + n), 10)], 1).allowed).toBe(true);
      }
      expect(store.size).toBe(limited + idle);
      // No limited key was reset on the way.
      for (let i = 0; i < limited; i++) expect(store.peek('fixed-window', [check(keyOf(i))], 1).allowed).toBe(false);
    },
  );

  it('refuses while every key is limited, and admits again as soon as one limit ends', () => {
    const clock = manualClock(0);
    const store = memoryStore({ clock, maxKeys: 3 });
    store.consume('fixed-window', [check('a')], 1);
    clock.advance(10_000);
    store.consume('fixed-window', [{ ...check('b'), windowMs: 20_000 }], 1); // limited until 20,000 (window end)
    store.consume('fixed-window', [check('c')], 1);
    for (let i = 0; i < 3; i++)
      expect(() => store.consume('fixed-window', [check(`new-${i}`)], 1)).toThrow(StoreFullError);
    clock.set(19_999);
    expect(() => store.consume('fixed-window', [check('new')], 1)).toThrow(StoreFullError);
    clock.set(20_000);
    // b's window is over: b is evictable, the newcomer takes its place.
    expect(store.consume('fixed-window', [check('new', 5)], 1).allowed).toBe(true);
    expect(store.peek('fixed-window', [check('a')], 1).allowed).toBe(false);
    expect(store.peek('fixed-window', [check('c')], 1).allowed).toBe(false);
  });

  it('after a refusal, a key that frees up early through a removal is found at once', () => {
    const clock = manualClock(0);
    const store = memoryStore({ clock, maxKeys: 3 });
    for (const key of ['a', 'b', 'c']) store.consume('fixed-window', [check(key)], 1);
    expect(() => store.consume('fixed-window', [check('d')], 1)).toThrow(StoreFullError);
    // A reset makes room; the key that takes it has room left, so the next newcomer may evict it.
    store.reset([{ scope: 'p:l', key: 'a' }]);
    store.consume('fixed-window', [check('e', 10)], 1);
    expect(store.consume('fixed-window', [check('f', 10)], 1).allowed).toBe(true);
    // A peek reports what would remain after this request: 9 of 10 for a fresh key.
    expect(store.peek('fixed-window', [check('e', 10)], 1).outcomes[0]?.remaining).toBe(9);
    expect(store.peek('fixed-window', [check('b')], 1).allowed).toBe(false);
  });

  it('refuses a new key if and only if every stored key is limited (property)', () => {
    // The store's own definition: a key is limited while it is blocked or has no room left
    // (an answer with `allowed: false` or `remaining: 0`), until the later of its reset and
    // retry-after. A limited key is never evicted, so every key the model counts as limited
    // is in the store: the store may refuse exactly when those fill it.
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        // A run of limited keys first (past the old scan's 256), then random traffic.
        fc.integer({ min: 0, max: 400 }),
        fc.array(
          fc.record({
            scope: fc.constantFrom('p:a', 'p:b'),
            // Few keys and mostly short steps, so keys do get limited and the store does fill
            // with them; now and then a step past a window's end.
            key: fc.integer({ min: 0, max: 5 }),
            ip: fc.boolean(),
            numbered: fc.boolean(),
            dt: fc.oneof(
              { arbitrary: fc.integer({ min: 0, max: 2_000 }), weight: 5 },
              { arbitrary: fc.integer({ min: 0, max: 70_000 }), weight: 1 },
            ),
          }),
          { maxLength: 120 },
        ),
        (spare, headLimited, ops) => {
          const clock = manualClock(Date.UTC(2030, 0, 1));
          const maxKeys = headLimited + spare;
          const store = memoryStore({ clock, maxKeys });
          const limitedUntil = new Map<string, number>();
          const limitedNow = () => [...limitedUntil.values()].filter((until) => until > clock.now()).length;
          const consume = (scope: string, key: string, limit: number, numbered: boolean): void => {
            const id = `${scope} ${key}`;
            const plain = check(key, limit, scope);
            const ipv4 = canonicalIpv4Value(key);
            const full = limitedNow() >= maxKeys;
            const known = (limitedUntil.get(id) ?? 0) > clock.now();
            try {
              const result = store.consume('fixed-window', [numbered && ipv4 >= 0 ? { ...plain, ipv4 } : plain], 1);
              const outcome = result.outcomes[0];
              if (outcome === undefined) throw new Error('no outcome');
              if (!outcome.allowed || outcome.remaining === 0) {
                const until = clock.now() + Math.max(outcome.resetMs, outcome.retryAfterMs);
                limitedUntil.set(id, Math.max(until, limitedUntil.get(id) ?? 0));
              }
              // Full of limited keys, a key that is not one of them cannot be stored.
              expect(full && !known, `${id} admitted into a store full of limited keys`).toBe(false);
            } catch (error) {
              expect(error).toBeInstanceOf(StoreFullError);
              expect(full, `${id} refused with ${limitedNow()} of ${maxKeys} keys limited`).toBe(true);
            }
            expect(store.size).toBeLessThanOrEqual(maxKeys);
          };
          // Limit 2: two requests use a key up.
          for (let i = 0; i < headLimited; i++) {
            consume('p:a', `head-${i}`, 2, false);
            consume('p:a', `head-${i}`, 2, false);
          }
          for (const op of ops) {
            clock.advance(op.dt);
            // Even keys are limited by their first request (limit 1), odd ones by their third.
            consume(op.scope, op.ip ? `192.0.2.${op.key}` : `u${op.key}`, op.key % 2 === 0 ? 1 : 3, op.numbered);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('memoryStore at the cap with several limits in one check', () => {
  it('never evicts a key the check has already looked up to make room for another of its keys', () => {
    // Issue #14: creating the first limit's key evicted the second's, already found; the
    // freed slot went to the first, and both limits then wrote into it.
    const store = memoryStore({ clock: manualClock(0), maxKeys: 2 });
    const checks = [check('u1', 10, 'p:a'), check('u1', 10, 'p:b')];
    for (let i = 0; i < 3; i++) store.consume('fixed-window', [check('u1', 10, 'p:b')], 1); // p:b has u1 at 3 of 10
    store.consume('fixed-window', [check('idle', 10, 'p:c')], 1);
    expect(store.consume('fixed-window', checks, 1).allowed).toBe(true);
    const [a, b] = store.peek('fixed-window', checks, 1).outcomes;
    // A peek reports what would remain after one more request: 10 - 1 - 1 and 10 - 4 - 1.
    expect(a?.remaining).toBe(8);
    expect(b?.remaining).toBe(5);
    expect(store.size).toBe(2);
  });

  it('never evicts a key the check has just created for another of its limits; refuses the check instead, counting nothing', () => {
    // Room for one new key only (one idle key, one limited): the check needs two.
    const store = memoryStore({ clock: manualClock(0), maxKeys: 2 });
    store.consume('fixed-window', [check('limited', 1, 'p:x')], 1);
    store.consume('fixed-window', [check('idle', 10, 'p:x')], 1);
    const checks = [check('u1', 10, 'p:a'), check('u1', 10, 'p:b')];
    expect(() => store.consume('fixed-window', checks, 1)).toThrow(StoreFullError);
    // All or nothing: neither limit counted the refused request (a peek of a fresh key: 9).
    const [a, b] = store.peek('fixed-window', checks, 1).outcomes;
    expect(a?.remaining).toBe(9);
    expect(b?.remaining).toBe(9);
    expect(store.peek('fixed-window', [check('limited', 1, 'p:x')], 1).allowed).toBe(false);
  });

  it('keeps every limit of a check its own counter under churn at the cap (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 5 }),
        fc.array(
          fc.record({
            key: fc.integer({ min: 0, max: 5 }),
            pair: fc.boolean(),
            dt: fc.integer({ min: 0, max: 20_000 }),
          }),
          { maxLength: 60 },
        ),
        (maxKeys, ops) => {
          const clock = manualClock(0);
          const store = memoryStore({ clock, maxKeys });
          // p:a counts every request, p:b only the paired ones; limits are never reached, so
          // a key's count is its requests in the window unless it was evicted (back to 0).
          for (const op of ops) {
            clock.advance(op.dt);
            const key = `192.0.2.${op.key}`;
            const checks = op.pair ? [check(key, 1_000, 'p:a'), check(key, 1_000, 'p:b')] : [check(key, 1_000, 'p:a')];
            const before = store.peek('fixed-window', checks, 1).outcomes.map((o) => o.remaining);
            try {
              store.consume('fixed-window', checks, 1);
            } catch (error) {
              expect(error).toBeInstanceOf(StoreFullError);
              continue;
            }
            const after = store.peek('fixed-window', checks, 1).outcomes.map((o) => o.remaining);
            // Each limit went down by exactly one from where it was (or counts one from fresh
            // if its key was evicted on the way; a peek subtracts its own cost, hence 998):
            // never by two, never another limit's count.
            after.forEach((remaining, i) => {
              expect([(before[i] as number) - 1, 998]).toContain(remaining);
            });
            expect(store.size).toBeLessThanOrEqual(maxKeys);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
