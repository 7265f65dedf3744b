import type { RotateInput, RotateResult } from '@bulwark/tokens';
import { expect, it } from 'vitest';
import {
  attempt,
  createFamily,
  familyIdOf,
  LONG_GRACE,
  outcomeOf,
  type RefreshStoreSubject,
  rotated,
  rotateInput,
  unique,
  withSubject,
} from './refresh-fixtures.js';

/** Runs `inputs` all at once: split between this process and the other one when the subject has one. */
async function rotateAtOnce(subject: RefreshStoreSubject, inputs: readonly RotateInput[]): Promise<RotateResult[]> {
  const { store, rotateInOtherProcess } = subject;
  if (rotateInOtherProcess === undefined) return Promise.all(inputs.map((input) => store.rotate(input)));
  const half = Math.ceil(inputs.length / 2);
  const [here, there] = await Promise.all([
    Promise.all(inputs.slice(0, half).map((input) => store.rotate(input))),
    rotateInOtherProcess(inputs.slice(half)),
  ]);
  expect(there).toHaveLength(inputs.length - half);
  return [...here, ...there];
}

/** The one `rotated` answer among `results`, with the input that won. */
function winnerOf(inputs: readonly RotateInput[], results: readonly RotateResult[]) {
  const winners = results.flatMap((result, i) => (result.outcome === 'rotated' ? [i] : []));
  expect(winners, `exactly one rotation wins: ${results.map(outcomeOf).join(', ')}`).toHaveLength(1);
  return inputs[winners[0] as number] as RotateInput;
}

/** Yields to the event loop `turns` times, so a racer starts at a varying point of the other's work. */
async function turns(count: number): Promise<void> {
  for (let i = 0; i < count; i++) await new Promise((r) => setImmediate(r));
}

export function refreshRaceCases(fresh: () => Promise<RefreshStoreSubject>): void {
  for (const racers of [2, 20]) {
    it(`${racers} concurrent rotations of one token with a grace window: one child; the others get that same child`, () =>
      withSubject(fresh, async (subject) => {
        const { store } = subject;
        for (let round = 0; round < 5; round++) {
          const f = await createFamily(store);
          const inputs = Array.from({ length: racers }, () => rotateInput(f.familyId, f.first, LONG_GRACE));
          const results = await rotateAtOnce(subject, inputs);
          const winner = winnerOf(inputs, results);
          for (const result of results) {
            if (result.outcome === 'rotated') continue;
            expect(result).toMatchObject({ outcome: 'grace', generation: 1, sealedChild: winner.sealedChild });
          }
          expect(await store.getFamily(f.familyId)).toMatchObject({ status: 'live', generation: 1 });
          for (const loser of inputs.filter((input) => input !== winner)) {
            expect((await attempt(store, f.familyId, loser.childHash)).result).toMatchObject({ reason: 'unknown' });
          }
          await rotated(store, f.familyId, winner.childHash);
        }
      }));

    it(`${racers} concurrent rotations of one token without a grace window: one child, then reuse revokes the family`, () =>
      withSubject(fresh, async (subject) => {
        const { store } = subject;
        for (let round = 0; round < 5; round++) {
          const f = await createFamily(store);
          const inputs = Array.from({ length: racers }, () => rotateInput(f.familyId, f.first, 0));
          const results = await rotateAtOnce(subject, inputs);
          const winner = winnerOf(inputs, results);
          const others = results.filter((r) => r.outcome !== 'rotated').map(outcomeOf);
          // The first loser finds a spent token (reuse); any later one finds the family revoked.
          expect(others).toContain('reused');
          for (const other of others) expect(['reused', 'invalid/revoked']).toContain(other);
          expect((await store.getFamily(f.familyId))?.status).toBe('revoked');
          expect((await attempt(store, f.familyId, winner.childHash)).result).toMatchObject({ reason: 'revoked' });
        }
      }));
  }

  it('revokeFamily racing rotations (logout racing refreshes) never leaves a live descendant', () =>
    withSubject(fresh, async (subject) => {
      const { store } = subject;
      for (let round = 0; round < 12; round++) {
        const f = await createFamily(store);
        const minted: string[] = [];
        const refreshes = async (grace: number) => {
          let live = f.first;
          for (let step = 0; step < 8; step++) {
            const { input, result } = await attempt(store, f.familyId, live, grace);
            if (result.outcome !== 'rotated') return;
            minted.push(input.childHash);
            live = input.childHash;
          }
        };
        const logout = async () => {
          await turns(round);
          return store.revokeFamily(f.familyId);
        };
        const [revoked] = await Promise.all([logout(), refreshes(round % 2 === 0 ? 0 : LONG_GRACE)]);
        expect(revoked).toBe(true);
        expect((await store.getFamily(f.familyId))?.status).toBe('revoked');
        for (const hash of [f.first, ...minted]) {
          expect((await attempt(store, f.familyId, hash, LONG_GRACE)).result).toMatchObject({
            outcome: 'invalid',
            reason: 'revoked',
          });
        }
      }
    }));

  it('revokeSubject racing rotations of several families leaves none of them live', () =>
    withSubject(fresh, async ({ store }) => {
      const subject = unique('user');
      const families = await Promise.all(Array.from({ length: 5 }, () => createFamily(store, { subject })));
      const rotations = families.map((f) => attempt(store, f.familyId, f.first, LONG_GRACE));
      const [ids, ...attempts] = await Promise.all([
        store.revokeSubject(subject, families[0]?.tag ?? ''),
        ...rotations,
      ]);
      expect([...ids].sort()).toEqual(families.map((f) => f.familyId).sort());
      for (const [i, f] of families.entries()) {
        const child = attempts[i]?.input.childHash as string;
        expect((await attempt(store, f.familyId, child)).result).toMatchObject({ reason: 'revoked' });
      }
    }));

  it('the per-user cap under concurrent logins: exactly maxFamilies live, each eviction reported once', () =>
    withSubject(fresh, async ({ store }) => {
      const subject = unique('busy');
      const maxFamilies = 3;
      const logins = await Promise.all(Array.from({ length: 20 }, () => createFamily(store, { subject, maxFamilies })));
      const ids = logins.map((f) => f.familyId);
      const states = await Promise.all(ids.map((id) => store.getFamily(id)));
      const live = ids.filter((_, i) => states[i]?.status === 'live');
      expect(live).toHaveLength(maxFamilies);
      const evicted = logins.flatMap((f) => f.created.evicted);
      expect([...evicted].sort()).toEqual(ids.filter((id) => !live.includes(id)).sort());
      for (const f of logins) expect(f.created.evicted).not.toContain(f.familyId);
      expect([...(await store.revokeSubject(subject, logins[0]?.tag ?? ''))].sort()).toEqual([...live].sort());
    }));

  it('concurrent creations of one family id: exactly one succeeds, the others are store_conflict', () =>
    withSubject(fresh, async ({ store }) => {
      const first = await createFamily(store);
      const input = { ...first.input, familyId: familyIdOf(first.tag) };
      const answers = await Promise.allSettled(Array.from({ length: 10 }, () => store.createFamily(input)));
      expect(answers.filter((a) => a.status === 'fulfilled')).toHaveLength(1);
      for (const a of answers) {
        if (a.status === 'rejected') expect(a.reason).toMatchObject({ code: 'store_conflict' });
      }
    }));

  it('many families rotated at once stay apart', () =>
    withSubject(fresh, async (subject) => {
      const { store } = subject;
      const families = await Promise.all(Array.from({ length: 40 }, () => createFamily(store)));
      const inputs = families.map((f) => rotateInput(f.familyId, f.first, LONG_GRACE));
      const results = await rotateAtOnce(subject, inputs);
      for (const [i, result] of results.entries()) {
        expect(result).toMatchObject({
          outcome: 'rotated',
          generation: 1,
          family: { familyId: families[i]?.familyId },
        });
      }
      await Promise.all(inputs.map((input) => rotated(store, input.familyId, input.childHash)));
    }));
}
