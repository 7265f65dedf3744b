import { manualClock } from '@bulwark/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { apiKeys } from './api-keys.js';
import { BASE62 } from './base62.js';
import { memoryApiKeyStore } from './memory-store.js';
import type { ApiKeyRecord, ApiKeyStore } from './port.js';

const T0 = Date.UTC(2026, 0, 1);
const OWNER = { ownerId: 'alice', ownerScopes: ['notes:read'], name: 'k' } as const;

describe('the verified-key cache', () => {
  it('never caches a record read before a revocation that lands while the read is in flight', async () => {
    const clock = manualClock(T0);
    const inner = memoryApiKeyStore({ clock });
    let release: (() => void) | undefined;
    let stale: ApiKeyRecord | undefined;
    const store: ApiKeyStore = {
      ...inner,
      invalidations: inner.invalidations,
      // The read answers what it saw before the revocation, after the revocation is done.
      get: async (id) => {
        stale = await inner.get(id);
        await new Promise<void>((r) => {
          release = r;
        });
        return stale;
      },
    };
    const keys = apiKeys({ clock, store });
    const { key, id } = await keys.create(OWNER);
    const inFlight = keys.verify(key);
    await Promise.resolve();
    await inner.revoke(id);
    release?.();
    expect((await inFlight).ok).toBe(true); // it read the key before the revocation
    // ...but did not cache it: the next verify reads again and sees the revocation.
    const direct = apiKeys({ clock, store: inner });
    expect(await direct.verify(key)).toEqual({ ok: false, reason: 'revoked' });
    store.get = (id) => inner.get(id);
    expect(await keys.verify(key)).toEqual({ ok: false, reason: 'revoked' });
  });

  it('is bounded: the oldest entry goes first', async () => {
    const clock = manualClock(T0);
    const store = memoryApiKeyStore({ clock });
    let reads = 0;
    const counted: ApiKeyStore = {
      ...store,
      invalidations: store.invalidations,
      get: (id) => {
        reads++;
        return store.get(id);
      },
    };
    const keys = apiKeys({ clock, store: counted, cache: { maxEntries: 2 } });
    const made = await Promise.all([1, 2, 3].map(() => keys.create(OWNER)));
    for (const { key } of made) await keys.verify(key);
    reads = 0;
    expect(keys.verify(made[2]?.key)).not.toBeInstanceOf(Promise);
    expect(keys.verify(made[1]?.key)).not.toBeInstanceOf(Promise);
    expect(await keys.verify(made[0]?.key)).toMatchObject({ ok: true });
    expect(reads).toBe(1);
  });

  it('any single-character change of a valid key is refused without a store call', async () => {
    const clock = manualClock(T0);
    const inner = memoryApiKeyStore({ clock });
    let reads = 0;
    const store: ApiKeyStore = {
      ...inner,
      invalidations: inner.invalidations,
      get: (id) => {
        reads++;
        return inner.get(id);
      },
    };
    const keys = apiKeys({ clock, store });
    const { key } = await keys.create(OWNER);
    expect((await keys.verify(key)).ok).toBe(true);
    reads = 0;
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.constantFrom(...`${BASE62}_-`), async (at, replacement) => {
        const i = at % key.length;
        fc.pre(key[i] !== replacement);
        const outcome = await keys.verify(key.slice(0, i) + replacement + key.slice(i + 1));
        expect(outcome.ok).toBe(false);
      }),
      { numRuns: 500 },
    );
    expect(reads).toBe(0);
  });

  it('verify never throws and never allows, whatever it is given', async () => {
    const keys = apiKeys({ clock: manualClock(T0) });
    await keys.create(OWNER);
    await fc.assert(
      fc.asyncProperty(fc.anything(), async (input) => {
        expect((await keys.verify(input)).ok).toBe(false);
      }),
    );
  });
});
