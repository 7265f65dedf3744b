import { canonicalIpv4Value } from '@bulwark/core';
import type { Algorithm, LimitCheck, RateLimitStore } from '@bulwark/ratelimit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

export interface StoreUnderTest {
  readonly store: RateLimitStore;
  close(): Promise<void>;
}

let sequence = 0;
// Where this run's IPv4 keys start: a run against a Redis that kept an earlier run's keys
// starts elsewhere.
const ipv4Base = Math.floor(Math.random() * 2 ** 32);
const T0 = Date.UTC(2030, 0, 1, 0, 0, 0); // aligned to every window used below

/** The two kinds of client key a store must count alike. */
interface KeyKind {
  readonly label: string;
  /** A key no other test (or earlier run against the same Redis) has used. */
  fresh(label: string): string;
}
const KEY_KINDS: readonly KeyKind[] = [
  { label: 'string keys', fresh: (label) => `${label}:${process.pid}-${Date.now()}-${++sequence}` },
  {
    // A policy's default key: the memory store indexes these by number (`LimitCheck.ipv4`).
    label: 'IPv4 keys',
    fresh: () => {
      const value = (ipv4Base + ++sequence * 7919) >>> 0;
      return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
    },
  },
];
/** A check as a policy builds it: with the key's number, which is -1 for a key that is not an IPv4 address. */
const check = (key: string, limit: number, windowMs: number, blockMs = 0, scope = 'conformance:a'): LimitCheck => ({
  scope,
  key,
  ipv4: canonicalIpv4Value(key),
  limit,
  windowMs,
  blockMs,
});

/**
 * The rate-limit store conformance suite: every implementation of the port (memory, Redis,
 * Redis Cluster, a third party's) must pass it. Times are passed explicitly, so the suite
 * is exact and never sleeps.
 *
 * @example
 * ```ts
 * declare function myStore(): RateLimitStore; // the store under test
 * runRateLimitStoreConformance('my-dynamo-store', async () => ({ store: myStore(), close: async () => {} }));
 * ```
 */
export function runRateLimitStoreConformance(name: string, open: () => Promise<StoreUnderTest>): void {
  describe(`rate-limit store conformance: ${name}`, () => {
    let subject: StoreUnderTest;
    let store: RateLimitStore;
    beforeAll(async () => {
      subject = await open();
      store = subject.store;
    });
    afterAll(async () => {
      await subject?.close();
    });
    for (const kind of KEY_KINDS) describe(kind.label, () => cases(kind.fresh));

    /** Every case, run once with each kind of key. */
    function cases(fresh: (label: string) => string): void {
      it('fixed window: admits exactly the limit, reports remaining and reset, and starts over next window', async () => {
        const c = [check(fresh('fw'), 3, 10_000)];
        const seen = [];
        for (let i = 0; i < 4; i++) seen.push(await store.consume('fixed-window', c, 1, T0 + 1000));
        expect(seen.map((r) => r.allowed)).toEqual([true, true, true, false]);
        expect(seen.map((r) => r.outcomes[0]?.remaining)).toEqual([2, 1, 0, 0]);
        expect(seen[3]?.outcomes[0]).toMatchObject({ resetMs: 9000, retryAfterMs: 9000 });
        expect((await store.consume('fixed-window', c, 1, T0 + 10_000)).allowed).toBe(true);
      });

      it('several limits are all-or-nothing: a refused request consumes from none', async () => {
        const wide = check(fresh('wide'), 10, 60_000);
        const narrow = check(fresh('narrow'), 2, 60_000);
        for (let i = 0; i < 2; i++)
          expect((await store.consume('fixed-window', [wide, narrow], 1, T0)).allowed).toBe(true);
        const refused = await store.consume('fixed-window', [wide, narrow], 1, T0);
        expect(refused.allowed).toBe(false);
        expect(refused.outcomes.map((o) => o.allowed)).toEqual([true, false]);
        // The wide limit still has 8 left: the refused request did not consume it.
        expect((await store.peek('fixed-window', [wide], 1, T0)).outcomes[0]?.remaining).toBe(7);
      });

      for (const algorithm of ['fixed-window', 'sliding-window', 'token-bucket', 'gcra'] as const) {
        it(`${algorithm}: a refused request reports the limits that would have allowed as they stay`, async () => {
          const wide = check(fresh(`idle-${algorithm}`), 10, 60_000);
          const narrow = check(fresh(`idle-narrow-${algorithm}`), 2, 60_000);
          for (let i = 0; i < 2; i++) await store.consume(algorithm, [wide, narrow], 1, T0);
          const before = (await store.peek(algorithm, [wide], 0, T0)).outcomes[0];
          const refused = await store.consume(algorithm, [wide, narrow], 1, T0);
          expect(refused.outcomes.map((o) => o.allowed)).toEqual([true, false]);
          // RateLimit r=8 for the wide limit, not the 7 it would have been had the request passed.
          expect(refused.outcomes[0]).toEqual({
            allowed: true,
            remaining: 8,
            resetMs: before?.resetMs,
            retryAfterMs: 0,
          });
          const peeked = await store.peek(algorithm, [wide, narrow], 1, T0);
          expect(peeked.outcomes[0]?.remaining).toBe(8);
        });
      }

      it('counts cost (weight) and refuses a cost larger than the room left', async () => {
        const c = [check(fresh('cost'), 5, 60_000)];
        expect((await store.consume('fixed-window', c, 3, T0)).outcomes[0]?.remaining).toBe(2);
        expect((await store.consume('fixed-window', c, 3, T0)).allowed).toBe(false);
        expect((await store.consume('fixed-window', c, 2, T0)).allowed).toBe(true);
      });

      it('blocks a key for the block duration once it is exceeded, even into the next window', async () => {
        const c = [check(fresh('block'), 1, 1000, 5000)];
        expect((await store.consume('fixed-window', c, 1, T0)).allowed).toBe(true);
        const hit = await store.consume('fixed-window', c, 1, T0 + 10);
        expect(hit.allowed).toBe(false);
        expect(hit.outcomes[0]?.retryAfterMs).toBe(5000);
        const later = await store.consume('fixed-window', c, 1, T0 + 2000);
        expect(later.allowed).toBe(false);
        expect(later.outcomes[0]?.retryAfterMs).toBe(3010);
        expect((await store.consume('fixed-window', c, 1, T0 + 5010)).allowed).toBe(true);
      });

      it('peek never consumes; reset forgets counters and blocks', async () => {
        const c = [check(fresh('peek'), 2, 60_000, 60_000)];
        for (let i = 0; i < 5; i++) expect((await store.peek('fixed-window', c, 1, T0)).outcomes[0]?.remaining).toBe(1);
        await store.consume('fixed-window', c, 2, T0);
        expect((await store.consume('fixed-window', c, 1, T0)).allowed).toBe(false);
        await store.reset([c[0] as LimitCheck]);
        expect((await store.consume('fixed-window', c, 1, T0)).allowed).toBe(true);
      });

      it('one key in two scopes is two counters; reset forgets only the scope it names', async () => {
        const key = fresh('scoped');
        const a = check(key, 1, 60_000);
        const b = check(key, 1, 60_000, 0, 'conformance:b');
        expect((await store.consume('fixed-window', [a], 1, T0)).allowed).toBe(true);
        expect((await store.consume('fixed-window', [a], 1, T0)).allowed).toBe(false);
        // The same client key under another limit has its own room.
        expect((await store.consume('fixed-window', [b], 1, T0)).allowed).toBe(true);
        await store.reset([b]);
        expect((await store.consume('fixed-window', [a], 1, T0)).allowed).toBe(false);
        expect((await store.consume('fixed-window', [b], 1, T0)).allowed).toBe(true);
      });

      it("counts a key alike whether or not the check carries the key's number", async () => {
        const key = fresh('number');
        const withNumber = check(key, 2, 60_000);
        const { ipv4: _, ...withoutNumber } = withNumber;
        expect((await store.consume('fixed-window', [withNumber], 1, T0)).allowed).toBe(true);
        expect((await store.consume('fixed-window', [withoutNumber], 1, T0)).allowed).toBe(true);
        expect((await store.consume('fixed-window', [withNumber], 1, T0)).allowed).toBe(false);
        await store.reset([{ scope: withoutNumber.scope, key }]);
        expect((await store.peek('fixed-window', [withNumber], 1, T0)).outcomes[0]?.remaining).toBe(1);
      });

      it('refunds never go below empty nor above the limit', async () => {
        const c = [check(fresh('refund'), 3, 60_000)];
        await store.consume('fixed-window', c, 2, T0);
        await store.refund('fixed-window', c, 5, T0);
        expect((await store.peek('fixed-window', c, 1, T0)).outcomes[0]?.remaining).toBe(2);
        for (let i = 0; i < 3; i++) expect((await store.consume('fixed-window', c, 1, T0)).allowed).toBe(true);
        expect((await store.consume('fixed-window', c, 1, T0)).allowed).toBe(false);
      });

      it('sliding window weighs the previous window', async () => {
        const c = [check(fresh('slide'), 10, 10_000)];
        for (let i = 0; i < 10; i++) await store.consume('sliding-window', c, 1, T0 + 5000);
        // Halfway through the next window, half of the previous 10 still count.
        const mid = await store.peek('sliding-window', c, 1, T0 + 15_000);
        expect(mid.outcomes[0]?.remaining).toBe(4);
        let admitted = 0;
        for (let i = 0; i < 10; i++) if ((await store.consume('sliding-window', c, 1, T0 + 15_000)).allowed) admitted++;
        expect(admitted).toBe(5);
      });

      it('token bucket refills at limit per window', async () => {
        const c = [check(fresh('bucket'), 10, 10_000)];
        expect((await store.consume('token-bucket', c, 10, T0)).allowed).toBe(true);
        expect((await store.consume('token-bucket', c, 1, T0)).outcomes[0]).toMatchObject({
          allowed: false,
          retryAfterMs: 1000,
        });
        expect((await store.consume('token-bucket', c, 3, T0 + 3000)).allowed).toBe(true);
        expect((await store.consume('token-bucket', c, 1, T0 + 3000)).allowed).toBe(false);
      });

      it('GCRA allows a burst of the limit, then one per interval', async () => {
        const c = [check(fresh('gcra'), 5, 5000)];
        for (let i = 0; i < 5; i++) expect((await store.consume('gcra', c, 1, T0)).allowed).toBe(true);
        expect((await store.consume('gcra', c, 1, T0)).outcomes[0]).toMatchObject({
          allowed: false,
          retryAfterMs: 1000,
        });
        expect((await store.consume('gcra', c, 1, T0 + 1000)).allowed).toBe(true);
        expect((await store.consume('gcra', c, 1, T0 + 1000)).allowed).toBe(false);
      });

      it.each(['fixed-window', 'sliding-window', 'token-bucket', 'gcra'] as Algorithm[])(
        '%s: 200 concurrent checks on one key admit exactly the limit',
        async (algorithm) => {
          const c = [check(fresh(`race-${algorithm}`), 37, 600_000)];
          const results = await Promise.all(Array.from({ length: 200 }, () => store.consume(algorithm, c, 1, T0)));
          expect(results.filter((r) => r.allowed)).toHaveLength(37);
        },
      );

      it('uses its own clock when none is given', async () => {
        const c = [check(fresh('clock'), 2, 60_000)];
        const first = await store.consume('fixed-window', c, 1);
        expect(first.allowed).toBe(true);
        expect(Math.abs(first.now - Date.now())).toBeLessThan(60_000);
      });
    }
  });
}
