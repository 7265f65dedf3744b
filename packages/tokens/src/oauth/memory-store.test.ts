import { manualClock } from '@bulwark/core';
import { runAuthorizationCodeStoreConformance } from '@bulwark/testkit';
import { describe, expect, it } from 'vitest';
import { authorizationCodeHash, newAuthorizationCode } from './code.js';
import { memoryAuthorizationCodeStore } from './memory-store.js';
import { createPkcePair } from './pkce.js';
import type { AuthorizationCodeRecord } from './port.js';

const T0 = Date.UTC(2030, 0, 1);

runAuthorizationCodeStoreConformance('memory', () => {
  const clock = manualClock(T0);
  return {
    store: memoryAuthorizationCodeStore({ clock }),
    elapse: async (ms) => clock.advance(ms),
  };
});

const record = async (): Promise<AuthorizationCodeRecord> => ({
  clientId: 'c',
  redirectUri: 'https://app.example.com/cb',
  codeChallenge: (await createPkcePair()).challenge,
  scopes: ['a'],
  subject: 's',
  familyId: 'f',
});

describe('memoryAuthorizationCodeStore', () => {
  it('refuses unknown options and bad values, naming the option', () => {
    expect(() => memoryAuthorizationCodeStore({ maxEntry: 5 } as never)).toThrow(
      expect.objectContaining({ option: 'maxEntry' }),
    );
    for (const maxEntries of [0, -1, 1.5, Number.NaN]) {
      expect(() => memoryAuthorizationCodeStore({ maxEntries })).toThrow(
        expect.objectContaining({ option: 'maxEntries' }),
      );
    }
    expect(() => memoryAuthorizationCodeStore({ clock: 5 as never })).toThrow(
      expect.objectContaining({ option: 'clock' }),
    );
  });

  it('expires a code exactly at save time + ttl on its clock', async () => {
    const clock = manualClock(T0);
    const store = memoryAuthorizationCodeStore({ clock });
    const hash = await authorizationCodeHash(newAuthorizationCode());
    await store.save(hash, await record(), 1000);
    clock.advance(999);
    expect(await store.wasReused(hash)).toBe(false);
    expect((await store.redeem(hash)).outcome).toBe('redeemed');
    expect((await store.redeem(hash)).outcome).toBe('reused');
    clock.advance(1);
    expect(await store.redeem(hash)).toEqual({ outcome: 'unknown' });
  });

  it('is bounded: full of live codes it refuses a new one (store_full); expired ones make room', async () => {
    const clock = manualClock(T0);
    const store = memoryAuthorizationCodeStore({ clock, maxEntries: 3 });
    const hashes = await Promise.all([1, 2, 3, 4].map(() => authorizationCodeHash(newAuthorizationCode())));
    for (const h of hashes.slice(0, 3)) await store.save(h as string, await record(), 1000);
    await expect(store.save(hashes[3] as string, await record(), 1000)).rejects.toMatchObject({ code: 'store_full' });
    // The live ones were not forgotten to make room.
    expect((await store.redeem(hashes[0] as string)).outcome).toBe('redeemed');
    clock.advance(1000);
    await store.save(hashes[3] as string, await record(), 1000);
    expect((await store.redeem(hashes[3] as string)).outcome).toBe('redeemed');
  });

  it('keeps a copy of the record: mutating the caller object afterwards changes nothing', async () => {
    const store = memoryAuthorizationCodeStore({ clock: manualClock(T0) });
    const hash = await authorizationCodeHash(newAuthorizationCode());
    const given = { ...(await record()), scopes: ['a'], extra: 'x' } as AuthorizationCodeRecord & { extra: string };
    await store.save(hash, given, 1000);
    (given.scopes as string[]).push('admin');
    const result = await store.redeem(hash);
    expect(result).toMatchObject({ outcome: 'redeemed', record: { scopes: ['a'] } });
    expect(result.outcome !== 'unknown' && 'extra' in result.record).toBe(false);
  });
});
