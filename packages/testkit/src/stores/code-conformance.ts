import {
  type AuthorizationCodeRecord,
  type AuthorizationCodeStore,
  authorizationCodeHash,
  createPkcePair,
  newAuthorizationCode,
  type RedeemResult,
} from '@bulwark/tokens';
import { describe, expect, it } from 'vitest';

/** A store under test, with what the suite may do to it beyond the port. */
export interface AuthorizationCodeStoreSubject {
  readonly store: AuthorizationCodeStore;
  /** Lets `ms` of the store's own time pass: a manual clock moves; a store on a server's clock waits. */
  elapse(ms: number): Promise<void>;
  close?(): Promise<void>;
  /**
   * Redeems `hash` `count` times at once from a separate OS process on this subject's
   * namespace, starting at `startAt` (epoch ms), and answers the outcomes.
   */
  redeemFromOtherProcess?(hash: string, count: number, startAt: number): Promise<readonly RedeemResult['outcome'][]>;
}

export interface AuthorizationCodeConformanceOptions {
  /** For shared stores: the subjects offer `redeemFromOtherProcess`, and the two-process race runs. */
  readonly otherProcesses?: boolean;
}

const MINUTE = 60_000;
const freshHash = () => authorizationCodeHash(newAuthorizationCode());

async function recordOf(overrides: Partial<AuthorizationCodeRecord> = {}): Promise<AuthorizationCodeRecord> {
  return {
    clientId: 'notes-spa',
    redirectUri: 'http://localhost:5173/callback?from=test&x=a%20b',
    codeChallenge: (await createPkcePair()).challenge,
    scopes: ['notes:read', 'notes:write'],
    subject: 'user-ünï {tag} a:b',
    familyId: `fam-${crypto.randomUUID()}`,
    ...overrides,
  };
}

async function withSubject(
  fresh: () => AuthorizationCodeStoreSubject | Promise<AuthorizationCodeStoreSubject>,
  body: (subject: AuthorizationCodeStoreSubject) => Promise<void>,
): Promise<void> {
  const subject = await fresh();
  try {
    await body(subject);
  } finally {
    await subject.close?.();
  }
}

const count = (outcomes: readonly string[], outcome: string) => outcomes.filter((o) => o === outcome).length;

/**
 * The authorization-code store conformance suite: every implementation of the port
 * (memory, Redis, Redis Cluster, a third party's) runs it. `fresh` answers a new store on
 * its own namespace for each case. It checks one use (a second redemption is `reused`,
 * with the record, and `wasReused` says so), records given back field for field, no
 * overwrite, no record without an S256 challenge, expiry on the store's clock, and the
 * race: many concurrent redemptions of one code (and, with `otherProcesses`, two other
 * processes and this one at once) give exactly one `redeemed`.
 *
 * @example
 * ```ts
 * import { manualClock } from '@bulwark/core';
 * import { memoryAuthorizationCodeStore } from '@bulwark/tokens';
 *
 * runAuthorizationCodeStoreConformance('memory', () => {
 *   const clock = manualClock(Date.now());
 *   return { store: memoryAuthorizationCodeStore({ clock }), elapse: async (ms) => clock.advance(ms) };
 * });
 * ```
 */
export function runAuthorizationCodeStoreConformance(
  name: string,
  fresh: () => AuthorizationCodeStoreSubject | Promise<AuthorizationCodeStoreSubject>,
  options: AuthorizationCodeConformanceOptions = {},
): void {
  describe(`authorization code store conformance: ${name}`, () => {
    it('redeems a code once, giving its record back field for field; a second use is reused, with the record', () =>
      withSubject(fresh, async ({ store }) => {
        const hash = await freshHash();
        const record = await recordOf();
        await store.save(hash, record, MINUTE);
        expect(await store.wasReused(hash)).toBe(false);
        expect(await store.redeem(hash)).toEqual({ outcome: 'redeemed', record });
        expect(await store.wasReused(hash)).toBe(false);
        expect(await store.redeem(hash)).toEqual({ outcome: 'reused', record });
        expect(await store.wasReused(hash)).toBe(true);
        expect(await store.redeem(hash)).toEqual({ outcome: 'reused', record });
      }));

    it('keeps codes apart, and keeps an empty scope list', () =>
      withSubject(fresh, async ({ store }) => {
        const [a, b] = [await freshHash(), await freshHash()];
        const ra = await recordOf({ scopes: [] });
        const rb = await recordOf({ clientId: 'other', subject: 'someone else' });
        await store.save(a, ra, MINUTE);
        await store.save(b, rb, MINUTE);
        expect(await store.redeem(b)).toEqual({ outcome: 'redeemed', record: rb });
        expect(await store.wasReused(a)).toBe(false);
        expect(await store.redeem(a)).toEqual({ outcome: 'redeemed', record: ra });
      }));

    it('answers unknown for a code never saved', () =>
      withSubject(fresh, async ({ store }) => {
        const hash = await freshHash();
        expect(await store.redeem(hash)).toEqual({ outcome: 'unknown' });
        expect(await store.wasReused(hash)).toBe(false);
        expect(await store.redeem(hash)).toEqual({ outcome: 'unknown' });
      }));

    it('refuses to overwrite a live code (store_conflict), used or not, and keeps the first record', () =>
      withSubject(fresh, async ({ store }) => {
        const hash = await freshHash();
        const first = await recordOf();
        await store.save(hash, first, MINUTE);
        await expect(store.save(hash, await recordOf(), MINUTE)).rejects.toMatchObject({ code: 'store_conflict' });
        expect(await store.redeem(hash)).toEqual({ outcome: 'redeemed', record: first });
        // A used code is not fresh again either: a save must not reset its one use.
        await expect(store.save(hash, await recordOf(), MINUTE)).rejects.toMatchObject({ code: 'store_conflict' });
        expect(await store.redeem(hash)).toEqual({ outcome: 'reused', record: first });
      }));

    it('never stores a code without an S256 challenge, nor a malformed hash or TTL', () =>
      withSubject(fresh, async ({ store }) => {
        const verifierLike = 'a'.repeat(64);
        for (const codeChallenge of ['', verifierLike, 'x'.repeat(43), undefined as unknown as string]) {
          const hash = await freshHash();
          await expect(store.save(hash, await recordOf({ codeChallenge }), MINUTE)).rejects.toMatchObject({
            code: 'invalid_argument',
          });
          expect(await store.redeem(hash)).toEqual({ outcome: 'unknown' });
        }
        const record = await recordOf();
        for (const hash of ['', 'short', `${'A'.repeat(43)}=`, 'a'.repeat(44)]) {
          await expect(store.save(hash, record, MINUTE)).rejects.toMatchObject({ code: 'invalid_argument' });
        }
        for (const ttl of [0, -1, 1.5, 10 * MINUTE + 1, Number.NaN]) {
          await expect(store.save(await freshHash(), record, ttl)).rejects.toMatchObject({ code: 'invalid_argument' });
        }
      }));

    it('forgets a code at its expiry on the store clock, used or not, whatever this process clock says', () =>
      withSubject(fresh, async ({ store, elapse }) => {
        const [fresh1, used, late] = [await freshHash(), await freshHash(), await freshHash()];
        await store.save(fresh1, await recordOf(), 300);
        await store.save(used, await recordOf(), 300);
        await store.save(late, await recordOf(), MINUTE);
        expect((await store.redeem(used)).outcome).toBe('redeemed');
        const realNow = Date.now;
        // A process clock an hour ahead changes nothing: the store's clock decides.
        Date.now = () => realNow() + 60 * MINUTE;
        try {
          expect(await store.wasReused(late)).toBe(false);
        } finally {
          Date.now = realNow;
        }
        await elapse(600);
        expect(await store.redeem(fresh1)).toEqual({ outcome: 'unknown' });
        expect(await store.redeem(used)).toEqual({ outcome: 'unknown' });
        expect(await store.wasReused(used)).toBe(false);
        expect((await store.redeem(late)).outcome).toBe('redeemed');
        // An expired hash may be saved again (it is a new code).
        const record = await recordOf();
        await store.save(fresh1, record, MINUTE);
        expect(await store.redeem(fresh1)).toEqual({ outcome: 'redeemed', record });
      }));

    it('of 50 concurrent redemptions of one code, exactly one is redeemed and the others reused', () =>
      withSubject(fresh, async ({ store }) => {
        const hash = await freshHash();
        await store.save(hash, await recordOf(), MINUTE);
        const outcomes = (await Promise.all(Array.from({ length: 50 }, () => store.redeem(hash)))).map(
          (r) => r.outcome,
        );
        expect(count(outcomes, 'redeemed')).toBe(1);
        expect(count(outcomes, 'reused')).toBe(49);
        expect(await store.wasReused(hash)).toBe(true);
      }));

    it('many codes redeemed at once each answer redeemed once', () =>
      withSubject(fresh, async ({ store }) => {
        const hashes = await Promise.all(Array.from({ length: 40 }, () => freshHash()));
        await Promise.all(hashes.map(async (h) => store.save(h, await recordOf({ subject: h }), MINUTE)));
        const results = await Promise.all(hashes.map((h) => store.redeem(h)));
        expect(results.map((r) => r.outcome)).toEqual(hashes.map(() => 'redeemed'));
        expect(results.map((r) => (r.outcome === 'unknown' ? undefined : r.record.subject))).toEqual(hashes);
      }));

    if (options.otherProcesses !== true) return;
    it('two other processes and this one redeeming one code at once: exactly one redemption', async () => {
      const subject = await fresh();
      try {
        const { store, redeemFromOtherProcess } = subject;
        if (redeemFromOtherProcess === undefined)
          throw new Error('otherProcesses: the subject has no redeemFromOtherProcess');
        const hash = await freshHash();
        await store.save(hash, await recordOf(), MINUTE);
        // Both children start the same instant (process start-up is slower than that).
        const startAt = Date.now() + 4000;
        const children = [0, 1].map(() => redeemFromOtherProcess(hash, 20, startAt));
        while (Date.now() < startAt) await new Promise((r) => setTimeout(r, 5));
        const local = await Promise.all(Array.from({ length: 20 }, () => store.redeem(hash)));
        const outcomes = [...local.map((r) => r.outcome), ...(await Promise.all(children)).flat()];
        expect(outcomes).toHaveLength(60);
        expect(count(outcomes, 'redeemed')).toBe(1);
        expect(count(outcomes, 'reused')).toBe(59);
      } finally {
        await subject.close?.();
      }
    }, 60_000);
  });
}
