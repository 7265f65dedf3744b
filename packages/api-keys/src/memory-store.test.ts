import { manualClock } from '@bulwark/core';
import { runApiKeyStoreConformance } from '@bulwark/testkit';
import { describe, expect, it } from 'vitest';
import { memoryApiKeyStore } from './memory-store.js';
import type { ApiKeyRecord } from './port.js';

runApiKeyStoreConformance('memory', async () => ({ store: memoryApiKeyStore(), close: async () => {} }));

const record = (id: string, expiresAt: number | null): ApiKeyRecord => ({
  id,
  hash: `sha256:${'00'.repeat(32)}`,
  ownerId: 'o',
  name: 'n',
  environment: 'live',
  start: `bwk_live_${id}`,
  scopes: [],
  metadata: {},
  createdAt: 0,
  expiresAt,
  revokedAt: null,
  lastUsedAt: null,
  replacedBy: null,
  credits: null,
});

describe('memoryApiKeyStore bounds', () => {
  it('when full, reclaims keys ended longer than the retention ago, and otherwise refuses (never drops a live key)', async () => {
    const clock = manualClock(0);
    const store = memoryApiKeyStore({ maxKeys: 2, retention: '1d', clock });
    await store.create(record('a', 1000));
    await store.create(record('b', null));
    await expect(store.create(record('c', null))).rejects.toMatchObject({ code: 'store_full' });
    clock.set(1000 + 86_400_000);
    await store.create(record('c', null));
    expect(await store.get('a')).toBeUndefined();
    expect(await store.get('b')).toBeDefined();
    expect(store.size).toBe(2);
    expect(() => memoryApiKeyStore({ maxKeys: 0 })).toThrow(expect.objectContaining({ option: 'maxKeys' }));
  });
});
