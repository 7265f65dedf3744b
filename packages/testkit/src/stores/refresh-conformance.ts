import { describe, expect, it } from 'vitest';
import {
  attempt,
  createFamily,
  DAY,
  familyIdOf,
  LONG_GRACE,
  newHash,
  type RefreshConformanceOptions,
  type RefreshStoreSubject,
  rotated,
  unique,
  withSubject,
} from './refresh-fixtures.js';
import { refreshRaceCases } from './refresh-races.js';
import { refreshTimingCases } from './refresh-timing.js';

/** Subjects, clients and scopes a store must keep exact (separators, braces, line breaks, non-ASCII). */
const AWKWARD = ['a b', 'x:y:z', '{tag}', 'line\nbreak', 'ünï-çødé ✓', '"quoted"', '[1,2]', ''];

/**
 * The refresh-token store conformance suite: every implementation of `RefreshTokenStore`
 * (memory, Redis, Redis Cluster, PostgreSQL, a third party's) runs it. `fresh` answers a
 * store for one case (the cases use unique subjects and family ids, so a shared namespace
 * is fine). It checks every rule of the port (`port.ts` in `@bulwark/tokens`), the races
 * with real concurrency (many calls at once, and in a second OS process when the subject
 * offers `rotateInOtherProcess`), and the timings on the store's clock: moved by hand
 * when the subject offers `advance`, in real short windows (`options.windowMs`) otherwise.
 *
 * @example
 * ```ts
 * import { manualClock } from '@bulwark/core';
 * import { memoryRefreshTokenStore } from '@bulwark/tokens';
 * runRefreshTokenStoreConformance('memory', async () => {
 *   const clock = manualClock(Date.UTC(2030, 0, 1));
 *   return { store: memoryRefreshTokenStore({ clock }), advance: (ms) => clock.advance(ms), close: async () => {} };
 * });
 * ```
 */
export function runRefreshTokenStoreConformance(
  name: string,
  fresh: () => Promise<RefreshStoreSubject>,
  options: RefreshConformanceOptions = {},
): void {
  describe(`refresh-token store conformance: ${name}`, () => {
    portCases(fresh);
    refreshRaceCases(fresh);
    refreshTimingCases(fresh, options.windowMs ?? 300);
  });
}

function portCases(fresh: () => Promise<RefreshStoreSubject>): void {
  it('creates a live family at generation 0 and reports it exactly (awkward strings kept)', () =>
    withSubject(fresh, async ({ store }) => {
      for (const text of AWKWARD) {
        const scopes = [text, 'notes:read', text === '' ? 'x' : `${text}2`];
        const f = await createFamily(store, { subject: `${unique('s')}${text}`, clientId: text, scopes });
        expect(f.created.evicted).toEqual([]);
        expect(f.created.absoluteExpiresAt).toBe(f.created.now + 30 * DAY);
        expect(f.created.idleExpiresAt).toBe(f.created.now + 7 * DAY);
        const state = await store.getFamily(f.familyId);
        expect(state?.scopes).toEqual(scopes);
        expect(state).toMatchObject({
          familyId: f.familyId,
          subject: f.subject,
          clientId: text,
          scopes,
          status: 'live',
          generation: 0,
          createdAt: f.created.now,
          absoluteExpiresAt: f.created.absoluteExpiresAt,
          idleExpiresAt: f.created.idleExpiresAt,
        });
      }
      const none = await createFamily(store, { scopes: [] });
      expect((await store.getFamily(none.familyId))?.scopes).toEqual([]);
      expect(await store.getFamily(familyIdOf(none.tag))).toBeUndefined();
    }));

  it('the idle expiry never passes the absolute one', () =>
    withSubject(fresh, async ({ store }) => {
      const f = await createFamily(store, { absoluteLifetimeMs: DAY, idleLifetimeMs: DAY });
      expect(f.created.idleExpiresAt).toBe(f.created.absoluteExpiresAt);
      // A rotation asking for a longer idle lifetime than the family has left gets what is left.
      const r = await rotated(store, f.familyId, f.first, 0, 2 * DAY);
      if (r.result.outcome !== 'rotated') return;
      expect(r.result.idleExpiresAt).toBe(f.created.absoluteExpiresAt);
      expect(r.result.absoluteExpiresAt).toBe(f.created.absoluteExpiresAt);
    }));

  it('an existing family id is a store_conflict, never an overwrite', () =>
    withSubject(fresh, async ({ store }) => {
      const f = await createFamily(store);
      const before = await store.getFamily(f.familyId);
      await expect(
        store.createFamily({ ...f.input, clientId: 'other', tokenHash: newHash(), subject: `${f.subject}-x` }),
      ).rejects.toMatchObject({ code: 'store_conflict' });
      expect(await store.getFamily(f.familyId)).toEqual(before);
      await rotated(store, f.familyId, f.first);
    }));

  it('rotating the live token spends it and makes the child live, one generation up', () =>
    withSubject(fresh, async ({ store }) => {
      const f = await createFamily(store, { idleLifetimeMs: DAY });
      let live = f.first;
      for (let generation = 1; generation <= 4; generation++) {
        const { result, child } = await rotated(store, f.familyId, live, 0, 2 * DAY);
        if (result.outcome !== 'rotated') return;
        expect(result.generation).toBe(generation);
        expect(result.family).toEqual({
          familyId: f.familyId,
          subject: f.subject,
          clientId: 'notes-api',
          scopes: ['notes:read', 'notes:write'],
        });
        // The idle lifetime is the one the rotation gives.
        expect(result.idleExpiresAt).toBe(result.now + 2 * DAY);
        expect(result.absoluteExpiresAt).toBe(f.created.absoluteExpiresAt);
        expect(await store.getFamily(f.familyId)).toMatchObject({
          status: 'live',
          generation,
          idleExpiresAt: result.idleExpiresAt,
        });
        live = child;
      }
    }));

  it('an unknown family is invalid/unknown', () =>
    withSubject(fresh, async ({ store }) => {
      const f = await createFamily(store);
      for (const familyId of [familyIdOf(f.tag), familyIdOf('AAAAAAAA'), `${f.familyId}x`, f.familyId.slice(0, -1)]) {
        expect((await attempt(store, familyId, f.first)).result).toMatchObject({
          outcome: 'invalid',
          reason: 'unknown',
        });
      }
      expect(await store.revokeFamily(familyIdOf(f.tag))).toBe(false);
      expect((await store.getFamily(f.familyId))?.status).toBe('live');
    }));

  it('a forged hash with a real family id changes nothing, in every state of the family', () =>
    withSubject(fresh, async ({ store }) => {
      const f = await createFamily(store);
      const other = await createFamily(store, { subject: f.subject });
      const forge = async () => {
        const before = await store.getFamily(f.familyId);
        // A hash this family never issued, and another family's live token.
        for (const hash of [newHash(), other.first]) {
          const { result } = await attempt(store, f.familyId, hash, LONG_GRACE);
          expect(result).toMatchObject({ outcome: 'invalid', reason: 'unknown' });
        }
        expect(await store.getFamily(f.familyId)).toEqual(before);
      };
      await forge();
      const one = await rotated(store, f.familyId, f.first, LONG_GRACE);
      await forge();
      // The grace retry still works, and so does the live token.
      expect((await attempt(store, f.familyId, f.first, LONG_GRACE)).result).toMatchObject({
        outcome: 'grace',
        sealedChild: one.input.sealedChild,
      });
      const two = await rotated(store, f.familyId, one.child, LONG_GRACE);
      await forge();
      await rotated(store, f.familyId, two.child);
      expect((await store.getFamily(other.familyId))?.status).toBe('live');
    }));

  it('a spent token presented with no grace window revokes the family (reuse)', () =>
    withSubject(fresh, async ({ store }) => {
      const f = await createFamily(store);
      const one = await rotated(store, f.familyId, f.first);
      const two = await rotated(store, f.familyId, one.child);
      const { result } = await attempt(store, f.familyId, one.child);
      expect(result).toMatchObject({ outcome: 'reused', presentedGeneration: 1 });
      if (result.outcome === 'reused') expect(result.family.familyId).toBe(f.familyId);
      for (const hash of [two.child, f.first, one.child]) {
        expect((await attempt(store, f.familyId, hash)).result).toMatchObject({
          outcome: 'invalid',
          reason: 'revoked',
        });
      }
      expect(await store.getFamily(f.familyId)).toMatchObject({ status: 'revoked', generation: 2 });
      expect(await store.revokeFamily(f.familyId)).toBe(false);
    }));

  it('inside the grace window the previous token gets the same sealed child, and nothing changes', () =>
    withSubject(fresh, async ({ store }) => {
      const f = await createFamily(store);
      const one = await rotated(store, f.familyId, f.first, LONG_GRACE);
      if (one.result.outcome !== 'rotated') return;
      const retries = [];
      for (let i = 0; i < 3; i++) retries.push(await attempt(store, f.familyId, f.first, LONG_GRACE));
      for (const { result } of retries) {
        expect(result).toMatchObject({
          outcome: 'grace',
          generation: 1,
          sealedChild: one.input.sealedChild,
          idleExpiresAt: one.result.idleExpiresAt,
          absoluteExpiresAt: one.result.absoluteExpiresAt,
          family: one.result.family,
        });
      }
      // No retry's child became live: a second branch is never opened.
      for (const { input } of retries) {
        expect((await attempt(store, f.familyId, input.childHash)).result).toMatchObject({ reason: 'unknown' });
      }
      expect(await store.getFamily(f.familyId)).toMatchObject({ status: 'live', generation: 1 });
      // The client that got the child goes on; the previous token is now two behind: reuse.
      await rotated(store, f.familyId, one.child, LONG_GRACE);
      expect((await attempt(store, f.familyId, f.first, LONG_GRACE)).result).toMatchObject({
        outcome: 'reused',
        presentedGeneration: 0,
      });
      expect((await store.getFamily(f.familyId))?.status).toBe('revoked');
    }));

  it('a grandparent replayed inside the window revokes the family; the live child dies with it', () =>
    withSubject(fresh, async ({ store }) => {
      const f = await createFamily(store);
      const one = await rotated(store, f.familyId, f.first, LONG_GRACE);
      const two = await rotated(store, f.familyId, one.child, LONG_GRACE);
      // The parent of the live token still gets its grace answer...
      expect((await attempt(store, f.familyId, one.child, LONG_GRACE)).result).toMatchObject({
        outcome: 'grace',
        generation: 2,
        sealedChild: two.input.sealedChild,
      });
      // ...but the grandparent is a reuse, however recent.
      expect((await attempt(store, f.familyId, f.first, LONG_GRACE)).result).toMatchObject({
        outcome: 'reused',
        presentedGeneration: 0,
      });
      expect((await attempt(store, f.familyId, two.child, LONG_GRACE)).result).toMatchObject({ reason: 'revoked' });
      expect((await attempt(store, f.familyId, one.child, LONG_GRACE)).result).toMatchObject({ reason: 'revoked' });
    }));

  it('revokeFamily revokes once; every token of the family is then revoked', () =>
    withSubject(fresh, async ({ store }) => {
      const f = await createFamily(store);
      const one = await rotated(store, f.familyId, f.first, LONG_GRACE);
      expect(await store.revokeFamily(f.familyId)).toBe(true);
      expect(await store.revokeFamily(f.familyId)).toBe(false);
      for (const hash of [one.child, f.first, newHash()]) {
        expect((await attempt(store, f.familyId, hash, LONG_GRACE)).result.outcome).toBe('invalid');
      }
      expect((await attempt(store, f.familyId, one.child)).result).toMatchObject({ reason: 'revoked' });
      expect(await store.getFamily(f.familyId)).toMatchObject({ status: 'revoked', generation: 1 });
    }));

  it("revokeSubject revokes that subject's live families only, even when another subject shares its tag", () =>
    withSubject(fresh, async ({ store }) => {
      const a = await createFamily(store);
      const a2 = await createFamily(store, { subject: a.subject });
      const a3 = await createFamily(store, { subject: a.subject });
      const sameTag = await createFamily(store, { subjectTag: a.tag });
      const otherUser = await createFamily(store);
      expect(await store.revokeFamily(a2.familyId)).toBe(true);
      expect(await store.revokeSubject(a.subject, a.tag)).toEqual([a.familyId, a3.familyId]);
      expect(await store.revokeSubject(a.subject, a.tag)).toEqual([]);
      for (const f of [a, a3]) {
        expect((await attempt(store, f.familyId, f.first)).result).toMatchObject({ reason: 'revoked' });
      }
      for (const f of [sameTag, otherUser]) expect((await store.getFamily(f.familyId))?.status).toBe('live');
      expect(await store.revokeSubject(unique('nobody'), a.tag)).toEqual([]);
    }));

  it('the per-user cap revokes the oldest live families, in creation order, and never the new one', () =>
    withSubject(fresh, async ({ store }) => {
      const subject = unique('capped');
      const make = (maxFamilies: number, extra = {}) => createFamily(store, { subject, maxFamilies, ...extra });
      const [f1, f2, f3] = [await make(2), await make(2), await make(2)];
      expect(f1.created.evicted).toEqual([]);
      expect(f2.created.evicted).toEqual([]);
      expect(f3.created.evicted).toEqual([f1.familyId]);
      expect((await attempt(store, f1.familyId, f1.first)).result).toMatchObject({ reason: 'revoked' });
      // Another subject with the same tag neither counts nor is evicted.
      const neighbour = await createFamily(store, { subjectTag: f1.tag, maxFamilies: 1 });
      const f4 = await make(2);
      expect(f4.created.evicted).toEqual([f2.familyId]);
      // A revoked family is not live: it does not count.
      expect(await store.revokeFamily(f3.familyId)).toBe(true);
      const f5 = await make(2);
      expect(f5.created.evicted).toEqual([]);
      // A lower cap evicts as many as it takes, oldest first.
      const f6 = await make(1);
      expect(f6.created.evicted).toEqual([f4.familyId, f5.familyId]);
      expect((await store.getFamily(f6.familyId))?.status).toBe('live');
      expect((await store.getFamily(neighbour.familyId))?.status).toBe('live');
      expect(await store.revokeSubject(subject, f1.tag)).toEqual([f6.familyId]);
    }));
}

export type { RefreshConformanceOptions, RefreshStoreSubject } from './refresh-fixtures.js';
