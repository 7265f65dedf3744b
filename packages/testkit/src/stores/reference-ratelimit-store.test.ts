import { manualClock } from '@bulwark/core';
import { describe, expect, it } from 'vitest';
import { runRateLimitStoreConformance } from './ratelimit-conformance.js';
import { referenceRateLimitStore } from './reference-ratelimit-store.js';

// The reference passes the suite every store passes: it is the port's rules, written plainly.
runRateLimitStoreConformance('reference', async () => ({ store: referenceRateLimitStore(), close: async () => {} }));

describe('referenceRateLimitStore', () => {
  const check = { scope: 'p:l', key: 'k', limit: 2, windowMs: 1_000, blockMs: 0 };

  it('drops an entry once its expiry has passed, when it is read', () => {
    const store = referenceRateLimitStore();
    store.consume('fixed-window', [check], 1, 0);
    expect(store.size).toBe(1);
    store.peek('fixed-window', [check], 1, 999);
    expect(store.size).toBe(1);
    store.peek('fixed-window', [check], 1, 1_000);
    expect(store.size).toBe(0);
  });

  it('reads its clock when no time is given', () => {
    const clock = manualClock(5_000);
    const store = referenceRateLimitStore({ clock });
    expect(store.consume('fixed-window', [check], 1).now).toBe(5_000);
  });
});
