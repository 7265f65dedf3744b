import { manualClock } from '@bulwark/core';
import { runRevocationStoreConformance } from '@bulwark/testkit';
import { describe, expect, it } from 'vitest';
import { memoryRevocationStore, RevocationStoreFullError } from './memory-store.js';
import { RevocationTable } from './table.js';

const T0 = Date.UTC(2030, 0, 1);

runRevocationStoreConformance('memory', async () => ({ store: memoryRevocationStore(), close: async () => {} }));

describe('memoryRevocationStore', () => {
  it('refuses unknown options and bad values, naming the option', () => {
    expect(() => memoryRevocationStore({ maxEntry: 5 } as never)).toThrow(
      expect.objectContaining({ option: 'maxEntry' }),
    );
    for (const maxEntries of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => memoryRevocationStore({ maxEntries })).toThrow(expect.objectContaining({ option: 'maxEntries' }));
    }
    expect(() => memoryRevocationStore({ clock: 5 as never })).toThrow(expect.objectContaining({ option: 'clock' }));
  });

  it('takes a clock as a function or as a Clock, and uses it to tell what has expired', async () => {
    const clock = manualClock(T0);
    for (const store of [
      memoryRevocationStore({ clock, maxEntries: 1 }),
      memoryRevocationStore({ clock: () => clock.now(), maxEntries: 1 }),
    ]) {
      clock.set(T0);
      await store.revoke({ kind: 'jti', id: 'a', until: T0 + 10 });
      await expect(store.revoke({ kind: 'jti', id: 'b', until: T0 + 20 })).rejects.toMatchObject({
        code: 'store_full',
      });
      // At `until` the token is expired anyway: the store's clock says `a` may go.
      clock.set(T0 + 10);
      await store.revoke({ kind: 'jti', id: 'b', until: T0 + 20 });
      expect(store.isRevoked('b', undefined, T0 + 10)).toBe(true);
      expect(store.size).toBe(1);
    }
  });

  it('when full, drops expired entries first, then refuses with store_full, forgetting nothing', async () => {
    const clock = manualClock(T0);
    const store = memoryRevocationStore({ maxEntries: 3, clock });
    await store.revoke({ kind: 'jti', id: 'short', until: T0 + 100 });
    await store.revoke({ kind: 'sid', id: 'long-1', until: T0 + 10_000 });
    await store.revoke({ kind: 'jti', id: 'long-2', until: T0 + 10_000 });
    const refused = store.revoke({ kind: 'jti', id: 'new', until: T0 + 10_000 });
    await expect(refused).rejects.toBeInstanceOf(RevocationStoreFullError);
    await expect(refused).rejects.toMatchObject({ code: 'store_full' });
    expect(store.isRevoked('short', 'long-1', T0 + 50)).toBe(true);
    expect(store.isRevoked('short', undefined, T0 + 50)).toBe(true);
    expect(store.isRevoked('new', undefined, T0 + 50)).toBe(false);
    // Once `short` has expired, it makes room.
    clock.set(T0 + 100);
    await store.revoke({ kind: 'jti', id: 'new', until: T0 + 10_000 });
    expect(store.size).toBe(3);
    expect(store.isRevoked('new', undefined, T0 + 100)).toBe(true);
    expect(store.isRevoked('x', 'long-1', T0 + 100)).toBe(true);
    // Re-revoking what is held needs no room.
    await store.revoke({ kind: 'jti', id: 'new', until: T0 + 20_000 });
    expect(store.isRevoked('new', undefined, T0 + 15_000)).toBe(true);
  });

  it('reclaims expired entries without a timer, before the store is full', async () => {
    const clock = manualClock(T0);
    const store = memoryRevocationStore({ clock });
    for (let i = 0; i < 1000; i++) await store.revoke({ kind: 'jti', id: `old-${i}`, until: T0 + 1 });
    expect(store.size).toBe(1000);
    clock.set(T0 + 1);
    for (let i = 0; i < 1100; i++) await store.revoke({ kind: 'sid', id: `new-${i}`, until: T0 + 60_000 });
    // The sweep every 1,024 inserts dropped the 1,000 expired entries (else 2,100).
    expect(store.size).toBe(1100);
    expect(store.isRevoked('old-5', 'new-1099', T0 + 2)).toBe(true);
    expect(store.isRevoked('old-5', undefined, T0 + 2)).toBe(false);
  });

  it('a revocation already expired is not kept and not announced', async () => {
    const clock = manualClock(T0);
    const store = memoryRevocationStore({ clock });
    const heard: string[] = [];
    store.subscribe((t) => heard.push(t.id));
    await store.revoke({ kind: 'jti', id: 'past', until: T0 });
    expect(store.size).toBe(0);
    expect(heard).toEqual([]);
  });

  it('a listener that throws neither fails the revoke nor stops other listeners', async () => {
    const store = memoryRevocationStore();
    const heard: string[] = [];
    store.subscribe(() => {
      throw new Error('broken cache');
    });
    store.subscribe((t) => heard.push(t.id));
    await store.revoke({ kind: 'sid', id: 's1', until: Date.now() + 60_000 });
    expect(heard).toEqual(['s1']);
  });
});

describe('RevocationTable', () => {
  it('answers what each insert did', () => {
    const table = new RevocationTable(2);
    expect(table.add('jti', 'a', T0 + 10, T0)).toBe('added');
    expect(table.add('jti', 'a', T0 + 5, T0)).toBe('unchanged');
    expect(table.add('jti', 'a', T0 + 20, T0)).toBe('extended');
    expect(table.add('sid', 'a', T0 + 20, T0)).toBe('added');
    expect(table.add('sid', 'b', T0 + 20, T0)).toBe('full');
    expect(table.add('sid', 'b', T0, T0)).toBe('expired');
    // An expired entry still held is revived in place.
    expect(table.add('jti', 'a', T0 + 30, T0 + 25)).toBe('added');
    expect(table.isRevoked('a', undefined, T0 + 29)).toBe(true);
    expect(table.isRevoked('a', undefined, T0 + 30)).toBe(false);
  });

  it('a read with a late clock does not drop an entry another reader still needs', () => {
    const table = new RevocationTable(10);
    table.add('jti', 'a', T0 + 10, T0);
    expect(table.isRevoked('a', undefined, T0 + 1000)).toBe(false);
    expect(table.isRevoked('a', undefined, T0 + 5)).toBe(true);
    expect(table.size).toBe(1);
  });
});
