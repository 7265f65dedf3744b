import { apiKeys } from '@bulwark/api-keys';
import { expect, it } from 'vitest';
import { type ApiKeyStoreSubject, HOUR, heard, testRecord, untilTrusted, withSubject } from './apikey-records.js';

const OWNER = { ownerId: 'race-owner', ownerScopes: ['notes:read'], name: 'k' } as const;

/** Real concurrency: many calls in flight at once on one store (and, on Redis, many connections' worth of interleaving). */
export function raceCases(fresh: () => Promise<ApiKeyStoreSubject>): void {
  it('credits spent by many parallel calls never go below zero and are never spent twice', () =>
    withSubject(fresh, async ({ store }) => {
      const record = testRecord({ credits: { remaining: 25, refillTo: 0, refillEvery: 0, refilledAt: Date.now() } });
      await store.create(record);
      const results = await Promise.all(Array.from({ length: 100 }, () => store.consumeCredits(record.id, 1)));
      const granted = results.filter((r) => r?.limited && r.ok);
      expect(granted).toHaveLength(25);
      // Each grant saw its own remainder: 24 down to 0, each once.
      expect(granted.map((r) => (r?.limited ? r.remaining : -1)).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 25 }, (_, i) => i),
      );
      expect((await store.get(record.id))?.credits?.remaining).toBe(0);
    }));

  it('of many parallel rotations of one key exactly one wins; only its replacement exists', () =>
    withSubject(fresh, async ({ store }) => {
      const old = testRecord();
      await store.create(old);
      const replacements = Array.from({ length: 20 }, () => testRecord({ ownerId: old.ownerId }));
      const results = await Promise.all(replacements.map((r) => store.rotate(old.id, old.ownerId, r, HOUR)));
      const winners = results.flatMap((r, i) => (r.ok ? [replacements[i]?.id] : []));
      expect(winners).toHaveLength(1);
      expect(results.filter((r) => !r.ok).every((r) => !r.ok && r.reason === 'rotated')).toBe(true);
      expect((await store.get(old.id))?.replacedBy).toBe(winners[0]);
      const existing = await Promise.all(replacements.map((r) => store.get(r.id)));
      expect(existing.filter((r) => r !== undefined).map((r) => r?.id)).toEqual(winners);
    }));

  it('of many parallel creations of one id exactly one lands', () =>
    withSubject(fresh, async ({ store }) => {
      const base = testRecord();
      const attempts = Array.from({ length: 20 }, (_, i) => ({ ...base, name: `attempt ${i}` }));
      const settled = await Promise.allSettled(attempts.map((r) => store.create(r)));
      expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(1);
      for (const s of settled) if (s.status === 'rejected') expect(s.reason).toMatchObject({ code: 'store_conflict' });
      const kept = await store.get(base.id);
      expect(attempts.map((a) => a.name)).toContain(kept?.name);
    }));

  it('a revocation racing verifies: every verify that starts after it resolves is refused', () =>
    withSubject(fresh, async ({ store }) => {
      await untilTrusted(store);
      const keys = apiKeys({ store });
      try {
        const { key, id } = await keys.create(OWNER);
        expect((await keys.verify(key)).ok).toBe(true);
        const before = Array.from({ length: 50 }, () => keys.verify(key));
        const revoking = keys.revoke(id);
        const during = Array.from({ length: 50 }, () => keys.verify(key));
        await revoking;
        const after = await Promise.all(Array.from({ length: 50 }, () => keys.verify(key)));
        await Promise.all([...before, ...during]);
        expect(after.every((o) => !o.ok && o.reason === 'revoked')).toBe(true);
      } finally {
        await keys.close();
      }
    }));
}

/** The cases of a store shared by several processes (they need `peer` and `revokeFromOtherProcess`). */
export function sharedStoreCases(fresh: () => Promise<ApiKeyStoreSubject>): void {
  it("a key revoked or rotated through one instance is refused by another one's cache", () =>
    withSubject(fresh, async (subject) => {
      if (subject.peer === undefined) throw new Error('a shared store offers peer');
      const peer = await subject.peer();
      const here = apiKeys({ store: subject.store });
      const there = apiKeys({ store: peer.store });
      try {
        await Promise.all([untilTrusted(subject.store), untilTrusted(peer.store)]);
        const revoked = await here.create(OWNER);
        const rotated = await here.create(OWNER);
        for (const { key } of [revoked, rotated]) {
          expect((await there.verify(key)).ok).toBe(true);
          expect(there.verify(key)).not.toBeInstanceOf(Promise);
        }
        const heardRevoke = heard(peer.store, revoked.id);
        await here.revoke(revoked.id);
        await heardRevoke.done;
        expect(await there.verify(revoked.key)).toEqual({ ok: false, reason: 'revoked' });
        const heardRotate = heard(peer.store, rotated.id);
        const result = await here.rotate(rotated.id, { overlap: 0 });
        await heardRotate.done;
        expect(await there.verify(rotated.key)).toEqual({ ok: false, reason: 'revoked' });
        expect(result.ok && (await there.verify(result.key.key)).ok).toBe(true);
      } finally {
        await Promise.all([here.close(), there.close()]);
        await peer.close();
      }
    }));

  it(
    'a key revoked by another OS process is refused here on the next verify',
    () =>
      withSubject(fresh, async (subject) => {
        if (subject.revokeFromOtherProcess === undefined)
          throw new Error('a shared store offers revokeFromOtherProcess');
        await untilTrusted(subject.store);
        const keys = apiKeys({ store: subject.store });
        try {
          const { key, id } = await keys.create(OWNER);
          expect((await keys.verify(key)).ok).toBe(true);
          expect(keys.verify(key)).not.toBeInstanceOf(Promise);
          // The other process starts (tsx) in its own time; what counts is from its revoke on.
          const notice = heard(subject.store, id, 30_000);
          const revokedAt = await subject.revokeFromOtherProcess(id);
          const heardAt = await notice.done;
          // Heard within a bound of the other process's revoke (pub/sub delivery: a few ms).
          expect(heardAt - revokedAt).toBeLessThan(1000);
          expect(await keys.verify(key)).toEqual({ ok: false, reason: 'revoked' });
        } finally {
          await keys.close();
        }
      }),
    60_000,
  );
}
