import type { SecurityEvent } from '@bulwark/core';
import { manualClock } from '@bulwark/core';
import { type KeyringRecord, type KeyringStore, keyring, type NewKeyringRecord } from '@bulwark/tokens';
import { describe, expect, it } from 'vitest';

const T0 = Date.UTC(2030, 0, 1);
const DAY = 86_400_000;
const MINUTE = 60_000;
/** A sealed value of the size of an RSA-2048 private JWK, in the alphabet keyrings use. */
const LONG_SEALED = `v1.${'A'.repeat(16)}.${'x_-9'.repeat(600)}`;

let sequence = 0;
const record = (generation: number, sealed = `v1.iv${generation}.ct-${++sequence}`): NewKeyringRecord => ({
  generation,
  kid: `kid-${generation}-${sequence}_x.y`,
  alg: 'ES256',
  sealed,
});
const byGeneration = (records: readonly KeyringRecord[], generation: number) =>
  records.find((r) => r.generation === generation);

/**
 * The keyring store conformance suite: every implementation of the port (memory, Redis,
 * Redis Cluster, a third party's) must pass it. `fresh` answers a new, empty store (its own
 * namespace) for each case. Times are passed explicitly except in the case that checks the
 * store's own clock. The last cases run real keyrings, many at once, on one store: they
 * must agree on the active key, and exactly one of them creates each key.
 *
 * @example
 * ```ts
 * import type { KeyringStore } from '@bulwark/tokens';
 * declare function myStore(namespace: string): KeyringStore; // the store under test
 * let n = 0;
 * runKeyringStoreConformance('my-dynamo-store', () => myStore(`test-${Date.now()}-${++n}`));
 * ```
 */
export function runKeyringStoreConformance(name: string, fresh: () => KeyringStore | Promise<KeyringStore>): void {
  describe(`keyring store conformance: ${name}`, () => {
    it('an empty store answers no records and the given time', async () => {
      const store = await fresh();
      expect(await store.load(T0)).toEqual({ now: T0, records: [] });
    });

    it('creates the first key, stamping createdAt and activatesAt, and gives every field back as stored', async () => {
      const store = await fresh();
      const first = { ...record(1, LONG_SEALED), alg: 'RS256' as const };
      const result = await store.create(first, { activateAfter: 0, dropBelow: 1, now: T0 });
      const stored = { ...first, createdAt: T0, activatesAt: T0 };
      expect(result).toEqual({ now: T0, created: true, records: [stored] });
      expect(await store.load(T0 + 5)).toEqual({ now: T0 + 5, records: [stored] });
    });

    it('a generation is created once: a second offer answers the first record', async () => {
      const store = await fresh();
      const first = record(1);
      await store.create(first, { activateAfter: 0, dropBelow: 1, now: T0 });
      const again = await store.create(record(1), { activateAfter: 0, dropBelow: 1, now: T0 + 1 });
      expect(again.created).toBe(false);
      expect(again.records.map((r) => r.kid)).toEqual([first.kid]);
      expect((await store.load(T0)).records.map((r) => r.kid)).toEqual([first.kid]);
    });

    it('only the generation after the highest ever created is taken', async () => {
      const store = await fresh();
      expect((await store.create(record(2), { activateAfter: 0, dropBelow: 1, now: T0 })).created).toBe(false);
      await store.create(record(1), { activateAfter: 0, dropBelow: 1, now: T0 });
      expect((await store.create(record(3), { activateAfter: 0, dropBelow: 1, now: T0 })).created).toBe(false);
      expect((await store.load(T0)).records).toHaveLength(1);
    });

    it('orders records by generation, schedules activation, drops retired ones, and never reuses a generation', async () => {
      const store = await fresh();
      for (let g = 1; g <= 11; g++) {
        const now = T0 + g * DAY;
        const result = await store.create(record(g), { activateAfter: 10 * MINUTE, dropBelow: 1, now });
        expect(result.created).toBe(true);
        expect(byGeneration(result.records, g)).toMatchObject({ createdAt: now, activatesAt: now + 10 * MINUTE });
      }
      // Generation 10 and 11 sort after 9 (numbers, not strings).
      expect((await store.load(T0)).records.map((r) => r.generation)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
      // A refused creation drops nothing.
      await store.create(record(5), { activateAfter: 0, dropBelow: 11, now: T0 });
      expect((await store.load(T0)).records).toHaveLength(11);
      const result = await store.create(record(12), { activateAfter: 0, dropBelow: 11, now: T0 });
      expect(result.records.map((r) => r.generation)).toEqual([11, 12]);
      // Every record dropped: the highest generation is still remembered.
      await store.create(record(13), { activateAfter: 0, dropBelow: 14, now: T0 });
      expect((await store.load(T0)).records.map((r) => r.generation)).toEqual([13]);
      expect((await store.create(record(13), { activateAfter: 0, dropBelow: 1, now: T0 })).created).toBe(false);
      expect((await store.create(record(1), { activateAfter: 0, dropBelow: 1, now: T0 })).created).toBe(false);
    });

    it("uses the store's own clock when no time is given", async () => {
      const store = await fresh();
      const before = Date.now();
      const result = await store.create(record(1), { activateAfter: 600_000, dropBelow: 1 });
      const created = byGeneration(result.records, 1) as KeyringRecord;
      // The machine's clock and the store's agree within a few seconds here (a local store).
      expect(Math.abs(created.createdAt - before)).toBeLessThan(5000);
      expect(created.activatesAt - created.createdAt).toBe(600_000);
      expect(result.now).toBe(created.createdAt);
      expect(Math.abs((await store.load()).now - Date.now())).toBeLessThan(5000);
    });

    it('of many concurrent offers of one generation, exactly one is created and all see it', async () => {
      const store = await fresh();
      await store.create(record(1), { activateAfter: 0, dropBelow: 1, now: T0 });
      const offers = Array.from({ length: 25 }, () => record(2));
      const results = await Promise.all(
        offers.map((offer) => store.create(offer, { activateAfter: 0, dropBelow: 1, now: T0 })),
      );
      expect(results.filter((r) => r.created)).toHaveLength(1);
      const winner = offers[results.findIndex((r) => r.created)];
      for (const result of results) expect(byGeneration(result.records, 2)?.kid).toBe(winner?.kid);
    });

    it('keyrings sharing the store agree on the active key; exactly one creates each key', async () => {
      const store = await fresh();
      const clock = manualClock(T0);
      const keyEncryptionKey = new Uint8Array(32).fill(42);
      const events: SecurityEvent[] = [];
      const rings = Array.from({ length: 12 }, () =>
        keyring({ store, keyEncryptionKey, clock, algorithm: 'ES256', onEvent: (e) => events.push(e) }),
      );
      const created = () => events.filter((e) => e.type === 'keyring.key_created').length;
      const signing = async () => new Set((await Promise.all(rings.map((k) => k.signingKey()))).map((k) => k.kid));
      const first = await signing();
      expect(first.size).toBe(1);
      expect(created()).toBe(1);
      clock.set(T0 + 30 * DAY - 10 * MINUTE);
      const published = await Promise.all(rings.map((k) => k.jwks()));
      expect(new Set(published.map((p) => p.keys.map((k) => k.kid).join(' '))).size).toBe(1);
      expect(published[0]?.keys).toHaveLength(2);
      expect(created()).toBe(2);
      expect(await signing()).toEqual(first);
      clock.set(T0 + 30 * DAY);
      const second = await signing();
      expect(second.size).toBe(1);
      expect(second).not.toEqual(first);
      expect((await store.load(clock.now())).records.map((r) => r.generation)).toEqual([1, 2]);
    });
  });
}
