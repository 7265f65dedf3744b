import { describe, expect, it } from 'vitest';
import { raceCases, sharedStoreCases } from './apikey-races.js';
import { type ApiKeyStoreSubject, AWKWARD, HOUR, heard, SLACK_MS, testRecord, withSubject } from './apikey-records.js';

export type { ApiKeyStoreSubject } from './apikey-records.js';

export interface ApiKeyConformanceOptions {
  /** A store shared by several processes: its subjects offer `peer` and `revokeFromOtherProcess`, and those cases run. */
  readonly shared?: boolean;
}

/**
 * The API-key store conformance suite: every implementation of the `ApiKeyStore` port
 * (memory, Redis, Redis Cluster, a third party's) runs it. `fresh` answers a new store on
 * its own empty namespace for each case. The port's cases and the races (real
 * concurrency: parallel credit spends, rotations, revocations racing verifies) run for
 * every store; the cases of a shared store (an invalidation reaching another instance, a
 * key revoked by another OS process refused here on the next verify) run when the subject
 * is `shared` (its subjects offer `peer` and `revokeFromOtherProcess`). The store's clock must be the wall clock
 * (times are compared with `Date.now()` within a slack).
 *
 * @example
 * ```ts
 * import { memoryApiKeyStore } from '@bulwark/api-keys';
 * runApiKeyStoreConformance('memory', async () => ({ store: memoryApiKeyStore(), close: async () => {} }));
 * ```
 */
export function runApiKeyStoreConformance(
  name: string,
  fresh: () => Promise<ApiKeyStoreSubject>,
  options: ApiKeyConformanceOptions = {},
): void {
  describe(`api-key store conformance: ${name}`, () => {
    it('gives back exactly what was created, awkward strings included; nothing for an unknown id', () =>
      withSubject(fresh, async ({ store }) => {
        const plain = testRecord();
        await store.create(plain);
        expect(await store.get(plain.id)).toEqual(plain);
        for (const text of AWKWARD) {
          const record = testRecord({
            ownerId: `${plain.ownerId}${text}`,
            name: text,
            metadata: { [text]: text, empty: '' },
            scopes: [],
            expiresAt: null,
            credits: { remaining: 7, refillTo: 9, refillEvery: 60_000, refilledAt: plain.createdAt },
          });
          await store.create(record);
          expect(await store.get(record.id), JSON.stringify(text)).toEqual(record);
        }
        expect(await store.get(testRecord().id)).toBeUndefined();
      }));

    it('never overwrites: creating an existing id is store_conflict and keeps the first', () =>
      withSubject(fresh, async ({ store }) => {
        const first = testRecord();
        await store.create(first);
        await expect(
          store.create({ ...first, ownerId: 'mallory', hash: `sha256:${'cd'.repeat(32)}` }),
        ).rejects.toMatchObject({
          code: 'store_conflict',
        });
        expect(await store.get(first.id)).toEqual(first);
      }));

    it("lists an owner's keys, oldest first, and only theirs", () =>
      withSubject(fresh, async ({ store }) => {
        const owner = testRecord().ownerId;
        const mine = [0, 1, 2].map((i) =>
          testRecord({ ownerId: owner, createdAt: Date.now() - 1000 + i, name: `k${i}` }),
        );
        for (const record of [mine[2], mine[0], mine[1]]) if (record) await store.create(record);
        await store.create(testRecord({ ownerId: `${owner}x` }));
        expect(await store.list(owner)).toEqual(mine);
        expect(await store.list(`${owner}-nobody`)).toEqual([]);
      }));

    it('revokes at once (the store clock), once, only for the owner, and tells its invalidations', () =>
      withSubject(fresh, async ({ store }) => {
        const record = testRecord();
        await store.create(record);
        expect(await store.revoke(record.id, 'mallory')).toBeUndefined();
        expect((await store.get(record.id))?.revokedAt).toBeNull();
        expect(await store.revoke(testRecord().id)).toBeUndefined();
        const notice = heard(store, record.id);
        const before = Date.now();
        const revoked = await store.revoke(record.id, record.ownerId);
        await notice.done;
        expect(revoked).toEqual({ ...record, revokedAt: expect.any(Number) });
        expect(Math.abs((revoked?.revokedAt ?? 0) - before)).toBeLessThan(SLACK_MS);
        expect(await store.get(record.id)).toEqual(revoked);
        // Again: the first time stays.
        expect(await store.revoke(record.id)).toEqual(revoked);
      }));

    it('rotates a live key: the replacement exists, the old one ends after the overlap, never past its expiry', () =>
      withSubject(fresh, async ({ store }) => {
        const old = testRecord({ expiresAt: Date.now() + 2 * HOUR });
        await store.create(old);
        const replacement = testRecord({ ownerId: old.ownerId });
        const notice = heard(store, old.id);
        const before = Date.now();
        const result = await store.rotate(old.id, old.ownerId, replacement, HOUR);
        await notice.done;
        if (!result.ok) throw new Error(`rotation refused: ${result.reason}`);
        expect(result.previous).toEqual({ ...old, replacedBy: replacement.id, expiresAt: expect.any(Number) });
        expect(Math.abs((result.previous.expiresAt ?? 0) - (before + HOUR))).toBeLessThan(SLACK_MS);
        expect(await store.get(old.id)).toEqual(result.previous);
        expect(await store.get(replacement.id)).toEqual(replacement);
        expect((await store.list(old.ownerId)).map((r) => r.id).sort()).toEqual([old.id, replacement.id].sort());
        expect(await store.rotate(old.id, undefined, testRecord(), HOUR)).toEqual({ ok: false, reason: 'rotated' });

        const short = testRecord({ expiresAt: Date.now() + 60_000 });
        await store.create(short);
        const kept = await store.rotate(short.id, undefined, testRecord(), HOUR);
        expect(kept.ok && kept.previous.expiresAt).toBe(short.expiresAt);

        const forever = testRecord({ expiresAt: null });
        await store.create(forever);
        const bounded = await store.rotate(forever.id, undefined, testRecord(), HOUR);
        expect(bounded.ok && typeof bounded.previous.expiresAt).toBe('number');
      }));

    it('rotation with no overlap revokes at once; refusals change nothing', () =>
      withSubject(fresh, async ({ store }) => {
        const now = Date.now();
        const live = testRecord();
        await store.create(live);
        const at = await store.rotate(live.id, undefined, testRecord(), 0);
        expect(at.ok && at.previous.revokedAt !== null && Math.abs(at.previous.revokedAt - now) < SLACK_MS).toBe(true);
        expect(at.ok && at.previous.expiresAt).toBe(live.expiresAt);

        const revoked = testRecord();
        await store.create(revoked);
        await store.revoke(revoked.id);
        const expired = testRecord({ expiresAt: now - 1000 });
        await store.create(expired);
        const other = testRecord();
        await store.create(other);
        const attempts = [
          [revoked.id, undefined, 'revoked'],
          [expired.id, undefined, 'expired'],
          [other.id, 'mallory', 'not_found'],
          [testRecord().id, undefined, 'not_found'],
        ] as const;
        for (const [id, owner, reason] of attempts) {
          const replacement = testRecord();
          expect(await store.rotate(id, owner, replacement, HOUR)).toEqual({ ok: false, reason });
          expect(await store.get(replacement.id)).toBeUndefined();
        }
        expect(await store.get(other.id)).toEqual(other);
      }));

    it('writes lastUsedAt with the store clock, at most once per interval', () =>
      withSubject(fresh, async ({ store }) => {
        const record = testRecord();
        await store.create(record);
        const before = Date.now();
        await store.touch(record.id, 60_000);
        const first = (await store.get(record.id))?.lastUsedAt ?? 0;
        expect(Math.abs(first - before)).toBeLessThan(SLACK_MS);
        await new Promise((r) => setTimeout(r, 5));
        await store.touch(record.id, 60_000);
        expect((await store.get(record.id))?.lastUsedAt).toBe(first);
        await store.touch(record.id, 1);
        expect((await store.get(record.id))?.lastUsedAt).toBeGreaterThan(first);
        await store.touch(testRecord().id, 1);
      }));

    it('spends credits, refuses what does not fit without spending, refills at each boundary', () =>
      withSubject(fresh, async ({ store }) => {
        const now = Date.now();
        const free = testRecord();
        const metered = testRecord({ credits: { remaining: 3, refillTo: 0, refillEvery: 0, refilledAt: now } });
        // Two refill periods (and a bit) have passed: one top-up to 5, the boundary moves by two periods.
        const refilled = testRecord({
          credits: { remaining: 1, refillTo: 5, refillEvery: HOUR, refilledAt: now - 2 * HOUR - 1000 },
        });
        for (const r of [free, metered, refilled]) await store.create(r);
        expect(await store.consumeCredits(free.id, 1)).toEqual({ limited: false });
        expect(await store.consumeCredits(testRecord().id, 1)).toBeUndefined();
        expect(await store.consumeCredits(metered.id, 2)).toEqual({ limited: true, ok: true, remaining: 1 });
        expect(await store.consumeCredits(metered.id, 2)).toEqual({ limited: true, ok: false, remaining: 1 });
        expect(await store.consumeCredits(metered.id, 1)).toEqual({ limited: true, ok: true, remaining: 0 });
        expect(await store.consumeCredits(refilled.id, 2)).toEqual({ limited: true, ok: true, remaining: 3 });
        expect((await store.get(refilled.id))?.credits).toEqual({
          remaining: 3,
          refillTo: 5,
          refillEvery: HOUR,
          refilledAt: now - 1000,
        });
      }));

    raceCases(fresh);
    if (options.shared === true) sharedStoreCases(fresh);
  });
}
