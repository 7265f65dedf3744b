import { canonicalIpv4Value, manualClock } from '@bulwark/core';
import { runRateLimitStoreConformance } from '@bulwark/testkit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { memoryStore, StoreFullError } from './memory-store.js';
import type { LimitCheck } from './port.js';

runRateLimitStoreConformance('memory', async () => ({ store: memoryStore(), close: async () => {} }));

describe('memoryStore bounds', () => {
  const check = (key: string, limit = 1, scope = 'p:l') => [{ scope, key, limit, windowMs: 60_000, blockMs: 0 }];

  it.each([
    ['string keys', (i: number) => `k${i}`],
    ['IPv4 keys', (i: number) => `10.0.0.${i}`],
  ])('reclaims expired keys without timers (%s)', (_, keyOf) => {
    const clock = manualClock(0);
    const store = memoryStore({ clock, maxKeys: 10 });
    for (let i = 0; i < 10; i++) store.consume('fixed-window', check(keyOf(i), 5), 1);
    expect(store.size).toBe(10);
    clock.advance(61_000);
    store.consume('fixed-window', check(keyOf(100), 5), 1);
    expect(store.size).toBeLessThanOrEqual(10);
    expect(store.size).toBeGreaterThan(0);
    // Reading an expired key drops it.
    for (let i = 0; i < 10; i++) store.peek('fixed-window', check(keyOf(i), 5), 1);
    expect(store.size).toBe(1);
  });

  // The store indexes IPv4 keys by number and other keys by string: both paths evict alike.
  const kinds = [
    ['string keys', ['limited-a', 'limited-b', 'roomy', 'newcomer']],
    ['IPv4 keys', ['192.0.2.1', '192.0.2.2', '192.0.2.3', '192.0.2.4']],
  ] as const;

  it.each(kinds)('at the cap evicts an idle key, never one that is currently limited (%s)', (_, keys) => {
    const [limitedA, limitedB, roomy, newcomer] = keys;
    const clock = manualClock(0);
    const store = memoryStore({ clock, maxKeys: 3 });
    // Two limited keys (limit 1, used up) and one with room left.
    store.consume('fixed-window', check(limitedA), 1);
    store.consume('fixed-window', check(limitedB), 1);
    store.consume('fixed-window', check(roomy, 10), 1);
    store.consume('fixed-window', check(newcomer, 10), 1);
    expect(store.size).toBe(3);
    // The limited keys are still limited: eviction did not reset them.
    expect(store.consume('fixed-window', check(limitedA), 1).allowed).toBe(false);
    expect(store.consume('fixed-window', check(limitedB), 1).allowed).toBe(false);
    // The idle key was the one evicted: it starts again from a full limit.
    expect(store.peek('fixed-window', check(roomy, 10), 1).outcomes[0]?.remaining).toBe(9);
    expect(store.peek('fixed-window', check(newcomer, 10), 1).outcomes[0]?.remaining).toBe(8);
  });

  it.each(kinds)('refuses to store a new key rather than evict an active limit (%s)', (_, keys) => {
    const [a, b, c] = keys;
    const store = memoryStore({ clock: manualClock(0), maxKeys: 2 });
    store.consume('fixed-window', check(a), 1);
    store.consume('fixed-window', check(b), 1);
    expect(() => store.consume('fixed-window', check(c), 1)).toThrow(StoreFullError);
    expect(store.consume('fixed-window', check(a), 1).allowed).toBe(false);
  });

  it('bounds keys across scopes: eviction takes an idle key of another scope, never a limited one', () => {
    const clock = manualClock(0);
    const store = memoryStore({ clock, maxKeys: 3 });
    store.consume('fixed-window', check('1.2.3.4', 1, 'p:a'), 1); // limited
    store.consume('fixed-window', check('1.2.3.4', 10, 'p:b'), 1); // idle
    store.consume('fixed-window', check('5.6.7.8', 1, 'p:b'), 1); // limited
    store.consume('fixed-window', check('9.9.9.9', 10, 'p:c'), 1);
    expect(store.size).toBe(3);
    expect(store.consume('fixed-window', check('1.2.3.4', 1, 'p:a'), 1).allowed).toBe(false);
    expect(store.consume('fixed-window', check('5.6.7.8', 1, 'p:b'), 1).allowed).toBe(false);
    // The idle key was the one evicted: it starts again from a full limit.
    expect(store.peek('fixed-window', check('1.2.3.4', 10, 'p:b'), 1).outcomes[0]?.remaining).toBe(9);
    expect(store.peek('fixed-window', check('9.9.9.9', 10, 'p:c'), 1).outcomes[0]?.remaining).toBe(8);
  });

  it('holds the cap when every check names a scope of its own', () => {
    const clock = manualClock(0);
    const store = memoryStore({ clock, maxKeys: 5 });
    // Every check in a scope of its own: the cap counts keys across scopes.
    for (let i = 0; i < 50; i++) {
      store.consume('fixed-window', check('k', 5, `s:${i}`), 1);
      clock.advance(61_000);
    }
    expect(store.size).toBeLessThanOrEqual(5);
    store.reset([{ scope: 's:49', key: 'k' }]);
    expect(store.peek('fixed-window', check('k', 5, 's:49'), 1).outcomes[0]?.remaining).toBe(4);
  });

  it('keeps a limited key limited until its reset, whatever churn other keys and scopes make (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            // Few keys and short steps, so keys do get limited (limit 2 a minute) while the
            // others churn through a store of one to four keys.
            scope: fc.constantFrom('p:a', 'p:b'),
            // IPv4 keys (indexed by number, given with the check or not) and string keys.
            key: fc.constantFrom('1.2.3.4', '10.0.0.1', '::1', 'u1'),
            numbered: fc.boolean(),
            dt: fc.integer({ min: 0, max: 5_000 }),
          }),
          { maxLength: 120 },
        ),
        fc.integer({ min: 1, max: 4 }),
        (ops, maxKeys) => {
          const clock = manualClock(Date.UTC(2030, 0, 1));
          const store = memoryStore({ clock, maxKeys });
          const limitedUntil = new Map<string, number>();
          for (const op of ops) {
            clock.advance(op.dt);
            const now = clock.now();
            const id = `${op.scope} ${op.key}`;
            let allowed: boolean;
            try {
              const [plain] = check(op.key, 2, op.scope);
              const withNumber = op.numbered ? { ...plain, ipv4: canonicalIpv4Value(op.key) } : plain;
              const result = store.consume('fixed-window', [withNumber as LimitCheck], 1);
              allowed = result.allowed;
              if (!allowed) limitedUntil.set(id, now + (result.outcomes[0]?.retryAfterMs ?? 0));
            } catch (error) {
              // Full of limited keys: the new key is refused, no key is reset.
              expect(error).toBeInstanceOf(StoreFullError);
              allowed = false;
            }
            if (now < (limitedUntil.get(id) ?? 0)) expect(allowed, id).toBe(false);
            expect(store.size).toBeLessThanOrEqual(maxKeys);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
