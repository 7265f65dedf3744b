import { expect, it } from 'vitest';
import {
  attempt,
  createFamily,
  elapse,
  HOUR,
  type RefreshStoreSubject,
  rotated,
  SLACK_MS,
  unique,
  withSubject,
} from './refresh-fixtures.js';

/**
 * The cases timed by the store's clock. With `advance` the suite moves that clock by hand
 * (long windows, exact boundaries, and no real time passing: what counts is the store's
 * clock, never the caller's); without it, windows of `windowMs` pass for real.
 */
export function refreshTimingCases(fresh: () => Promise<RefreshStoreSubject>, windowMs: number): void {
  it('the grace window is timed by the store: a retry after it is a reuse', () =>
    withSubject(fresh, async (subject) => {
      const { store } = subject;
      const manual = subject.advance !== undefined;
      const grace = manual ? 10_000 : windowMs;
      const f = await createFamily(store);
      const one = await rotated(store, f.familyId, f.first, grace);
      if (manual) {
        await elapse(subject, grace);
        const { result } = await attempt(store, f.familyId, f.first, grace);
        expect(result).toMatchObject({ outcome: 'grace', sealedChild: one.input.sealedChild });
        expect(result.now - one.result.now).toBe(grace);
        await elapse(subject, 1);
      } else {
        expect((await attempt(store, f.familyId, f.first, grace)).result.outcome).toBe('grace');
        await elapse(subject, grace + SLACK_MS);
      }
      const late = await attempt(store, f.familyId, f.first, grace);
      expect(late.result).toMatchObject({ outcome: 'reused', presentedGeneration: 0 });
      expect(late.result.now - one.result.now).toBeGreaterThan(grace);
      expect((await attempt(store, f.familyId, one.child, grace)).result).toMatchObject({ reason: 'revoked' });
    }));

  it('a retry after the answer was lost succeeds inside the window, then the client goes on', () =>
    withSubject(fresh, async (subject) => {
      const { store } = subject;
      const grace = subject.advance !== undefined ? 10_000 : windowMs;
      const f = await createFamily(store);
      const lost = await rotated(store, f.familyId, f.first, grace);
      if (subject.advance !== undefined) await elapse(subject, grace / 2);
      expect((await attempt(store, f.familyId, f.first, grace)).result).toMatchObject({
        outcome: 'grace',
        sealedChild: lost.input.sealedChild,
      });
      // The client unsealed its child from the retry: it rotates as usual, even after the window.
      await elapse(subject, grace + (subject.advance !== undefined ? 1 : SLACK_MS));
      const next = await rotated(store, f.familyId, lost.child, grace);
      expect(next.result).toMatchObject({ generation: 2 });
    }));

  it('a family expires at its absolute lifetime, rotations or not', () =>
    withSubject(fresh, async (subject) => {
      const { store } = subject;
      const manual = subject.advance !== undefined;
      const lifetime = manual ? HOUR : 3 * windowMs;
      const f = await createFamily(store, { absoluteLifetimeMs: lifetime, idleLifetimeMs: lifetime });
      const one = await rotated(store, f.familyId, f.first, 0, lifetime);
      expect(one.result).toMatchObject({ absoluteExpiresAt: f.created.now + lifetime });
      let live = one.child;
      if (manual) {
        await elapse(subject, lifetime - 1 - (one.result.now - f.created.now));
        live = (await rotated(store, f.familyId, live, 0, lifetime)).child;
        await elapse(subject, 1);
      } else {
        await elapse(subject, lifetime + SLACK_MS);
      }
      expect((await attempt(store, f.familyId, live)).result).toMatchObject({ outcome: 'invalid', reason: 'expired' });
      expect((await store.getFamily(f.familyId))?.status).toBe('expired');
    }));

  it('the idle lifetime moves with each rotation, and ends a family left unused', () =>
    withSubject(fresh, async (subject) => {
      const { store } = subject;
      const manual = subject.advance !== undefined;
      const idle = manual ? HOUR : 2 * windowMs;
      const f = await createFamily(store, { absoluteLifetimeMs: 100 * idle, idleLifetimeMs: idle });
      let live = f.first;
      // Three rotations, each well inside the idle lifetime, outlive the first idle expiry.
      for (let i = 0; i < 3; i++) {
        await elapse(subject, manual ? idle - 1 : idle / 2);
        const next = await rotated(store, f.familyId, live, 0, idle);
        expect(next.result).toMatchObject({ idleExpiresAt: next.result.now + idle });
        live = next.child;
      }
      expect((await store.getFamily(f.familyId))?.status).toBe('live');
      await elapse(subject, manual ? idle : idle + SLACK_MS);
      expect((await attempt(store, f.familyId, live, 0, idle)).result).toMatchObject({ reason: 'expired' });
      expect((await store.getFamily(f.familyId))?.status).toBe('expired');
    }));

  it('an expired family is not live: it neither counts for the cap nor is revoked by revokeSubject', () =>
    withSubject(fresh, async (subject) => {
      const { store } = subject;
      const lifetime = subject.advance !== undefined ? HOUR : windowMs;
      const user = unique('user');
      const old = await createFamily(store, {
        subject: user,
        absoluteLifetimeMs: lifetime,
        idleLifetimeMs: lifetime,
        maxFamilies: 1,
      });
      await elapse(subject, lifetime + (subject.advance !== undefined ? 0 : SLACK_MS));
      const fresh1 = await createFamily(store, { subject: user, maxFamilies: 1 });
      expect(fresh1.created.evicted).toEqual([]);
      expect(await store.revokeSubject(user, old.tag)).toEqual([fresh1.familyId]);
    }));
}
