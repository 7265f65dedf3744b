import { manualClock } from '@bulwark/core';
import { runLockoutStoreConformance } from '@bulwark/testkit';
import { describe, expect, it } from 'vitest';
import { memoryLockoutStore } from './memory-store.js';
import { DEFAULT_RULES } from './rules.js';

runLockoutStoreConformance('memory', async () => {
  const clock = manualClock();
  return { store: memoryLockoutStore({ clock }), clock, close: async () => {} };
});

describe('memory lockout store bounds', () => {
  const target = (i: number) => ({ account: `a${i}`, ip: `10.0.0.${i % 250}` });

  it('drops expired records and evicts the oldest unlocked one at maxEntries', () => {
    const clock = manualClock(1_000_000);
    const store = memoryLockoutStore({ clock, maxEntries: 30 });
    for (let i = 0; i < 100; i++) expect(store.reserve(target(i), DEFAULT_RULES)).toMatchObject({ allowed: true });
    // The latest attempt's counts survive; the first ones were evicted.
    expect(store.inspect(target(99), DEFAULT_RULES)).toMatchObject({ pair: { count: 1 }, account: { count: 1 } });
    expect(store.inspect(target(0), DEFAULT_RULES)).toMatchObject({ pair: { count: 0 } });
  });

  it('never evicts a lock in force: full of locks, it refuses with store_full', () => {
    const clock = manualClock(1_000_000);
    const store = memoryLockoutStore({ clock, maxEntries: 3 });
    const rules = {
      ...DEFAULT_RULES,
      pair: { ...DEFAULT_RULES.pair, attempts: 1 },
      account: { ...DEFAULT_RULES.account, attempts: 1 },
      ip: { ...DEFAULT_RULES.ip, attempts: 1 },
    };
    expect(store.reserve(target(1), rules)).toMatchObject({ allowed: true });
    expect(() => store.reserve(target(2), rules)).toThrow(expect.objectContaining({ code: 'store_full' }));
    expect(store.reserve(target(1), rules)).toMatchObject({ allowed: false, scope: 'pair' });
    clock.advance(rules.pair.maxLockMs * 3);
    expect(store.reserve(target(2), rules)).toMatchObject({ allowed: true });
  });

  it('refuses bad options by name', () => {
    expect(() => memoryLockoutStore({ maxEntries: 2 })).toThrow(/maxEntries/);
    expect(() => memoryLockoutStore({ clock: {} as never })).toThrow(/clock/);
  });
});
