import { manualClock } from '@bulwark/core';
import { runRefreshTokenStoreConformance } from '@bulwark/testkit';
import { describe, expect, it } from 'vitest';
import { newRefreshFamilyId, subjectTag } from './format.js';
import { memoryRefreshTokenStore, RefreshStoreFullError } from './memory-store.js';
import type { CreateFamilyInput } from './port.js';

const T0 = Date.UTC(2030, 0, 1);
const HOUR = 3_600_000;

runRefreshTokenStoreConformance('memory (manual clock)', async () => {
  const clock = manualClock(T0);
  return { store: memoryRefreshTokenStore({ clock }), advance: (ms) => clock.advance(ms), close: async () => {} };
});
// The same suite on real time, the way a Redis or PostgreSQL store runs it.
runRefreshTokenStoreConformance('memory (real time)', async () => ({
  store: memoryRefreshTokenStore(),
  close: async () => {},
}));
// The second-process hook's path, with a stand-in "process" that answers from the same store
// after a macrotask (a real one is the Redis suite's worker).
runRefreshTokenStoreConformance('memory (second-process hook, in-process stand-in)', async () => {
  const store = memoryRefreshTokenStore();
  return {
    store,
    rotateInOtherProcess: async (inputs) => {
      await new Promise((r) => setImmediate(r));
      return Promise.all(inputs.map((i) => store.rotate(i)));
    },
    close: async () => {},
  };
});

function input(subject: string, overrides: Partial<CreateFamilyInput> = {}): CreateFamilyInput {
  return {
    familyId: newRefreshFamilyId(subject),
    subject,
    subjectTag: subjectTag(subject),
    clientId: 'app',
    scopes: [],
    tokenHash: `h-${Math.random()}`,
    absoluteLifetimeMs: 2 * HOUR,
    idleLifetimeMs: HOUR,
    maxFamilies: 10,
    ...overrides,
  };
}

describe('memoryRefreshTokenStore', () => {
  it('refuses unknown options and bad values, naming the option', () => {
    expect(() => memoryRefreshTokenStore({ maxFamily: 5 } as never)).toThrow(
      expect.objectContaining({ option: 'maxFamily' }),
    );
    for (const maxFamilies of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => memoryRefreshTokenStore({ maxFamilies })).toThrow(
        expect.objectContaining({ option: 'maxFamilies' }),
      );
    }
    expect(() => memoryRefreshTokenStore({ clock: 5 as never })).toThrow(expect.objectContaining({ option: 'clock' }));
  });

  it('full of live families, refuses a new one with store_full rather than forget one', async () => {
    const clock = manualClock(T0);
    const store = memoryRefreshTokenStore({ clock: () => clock.now(), maxFamilies: 2 });
    const [a, b] = [input('a'), input('b')];
    await store.createFamily(a);
    await store.createFamily(b);
    const refused = store.createFamily(input('c'));
    await expect(refused).rejects.toBeInstanceOf(RefreshStoreFullError);
    await expect(refused).rejects.toMatchObject({ code: 'store_full' });
    expect((await store.getFamily(a.familyId))?.status).toBe('live');
    expect((await store.getFamily(b.familyId))?.status).toBe('live');
  });

  it('makes room from revoked families, then from ended ones, never from live ones', async () => {
    const clock = manualClock(T0);
    const store = memoryRefreshTokenStore({ clock, maxFamilies: 2 });
    const [a, b, c] = [input('a'), input('b', { idleLifetimeMs: HOUR / 2 }), input('c')];
    await store.createFamily(a);
    await store.createFamily(b);
    await store.revokeFamily(a.familyId);
    await store.createFamily(c);
    // The revoked family made room: its tokens are now unknown (refused either way).
    expect(await store.getFamily(a.familyId)).toBeUndefined();
    await expect(store.createFamily(input('d'))).rejects.toMatchObject({ code: 'store_full' });
    clock.advance(HOUR / 2);
    const d = input('d');
    await store.createFamily(d);
    expect(await store.getFamily(b.familyId)).toBeUndefined();
    expect((await store.getFamily(c.familyId))?.status).toBe('live');
    expect(store.size).toBe(2);
  });

  it('reclaims ended families by itself as creations go on', async () => {
    const clock = manualClock(T0);
    const store = memoryRefreshTokenStore({ clock });
    for (let i = 0; i < 1000; i++) await store.createFamily(input(`u${i}`));
    clock.advance(2 * HOUR);
    for (let i = 0; i < 100; i++) await store.createFamily(input(`v${i}`));
    expect(store.size).toBeLessThan(1000);
  });

  it('refuses a malformed creation with invalid_argument, keeping nothing', async () => {
    const store = memoryRefreshTokenStore();
    const bad: Partial<CreateFamilyInput>[] = [
      { familyId: 'not-starting-with-the-tag' },
      { subjectTag: '' },
      { maxFamilies: 0 },
      { absoluteLifetimeMs: 0 },
      { idleLifetimeMs: 1.5 },
      { scopes: 'a b' as never },
      { subject: 42 as never },
    ];
    for (const overrides of bad) {
      await expect(store.createFamily(input('x', overrides)), JSON.stringify(overrides)).rejects.toMatchObject({
        code: 'invalid_argument',
      });
    }
    expect(store.size).toBe(0);
  });
});
