import { manualClock } from '@bulwark/core';
import { describe, expect, it } from 'vitest';
import { apiKeys } from './api-keys.js';
import type { ApiKeyEvent } from './events.js';
import { memoryApiKeyStore } from './memory-store.js';
import type { ApiKeyStore } from './port.js';

const T0 = Date.UTC(2026, 0, 1);
const OWNER = { ownerId: 'alice', ownerScopes: ['notes:read', 'notes:write', 'keys:manage'] } as const;

/** A memory store that counts the calls it answers (to prove which verifies ask no store). */
function countingStore(clock = manualClock(T0)) {
  const inner = memoryApiKeyStore({ clock });
  const calls: string[] = [];
  const store = new Proxy(inner, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.push(String(name));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  }) as ApiKeyStore;
  return { store, calls, clock };
}

describe('apiKeys', () => {
  it('creates a key shown once, stores only its digest, and verifies it as the owner with the key scopes', async () => {
    const { store, clock } = countingStore();
    const keys = apiKeys({ store, clock, prefix: 'notes' });
    const created = await keys.create({ ...OWNER, name: 'CI', scopes: ['notes:read'] });
    expect(created.key.startsWith(`notes_live_${created.id}_`)).toBe(true);
    expect(created.start).toBe(`notes_live_${created.id}`);
    expect(created.expiresAt).toBe(T0 + 90 * 86_400_000);
    const record = await store.get(created.id);
    expect(record?.hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(JSON.stringify(record)).not.toContain(created.key.slice(created.start.length + 1, -6));
    expect(Object.keys((await keys.list('alice'))[0] ?? {})).not.toContain('hash');
    const outcome = await keys.verify(created.key);
    expect(outcome).toMatchObject({
      ok: true,
      principal: {
        subject: 'alice',
        kind: 'user',
        scopes: ['notes:read'],
        source: { kind: 'api_key', keyId: created.id },
      },
    });
  });

  it("refuses scopes beyond the owner's (422), never-expiring keys unless allowed, and lives beyond the maximum", async () => {
    const keys = apiKeys({ clock: manualClock(T0) });
    await expect(keys.create({ ...OWNER, name: 'x', scopes: ['admin'] })).rejects.toMatchObject({
      code: 'validation_failed',
    });
    await expect(keys.create({ ...OWNER, name: 'x', expiresIn: 'never' })).rejects.toMatchObject({
      code: 'validation_failed',
    });
    await expect(keys.create({ ...OWNER, name: 'x', expiresIn: '400d' })).rejects.toMatchObject({
      code: 'validation_failed',
    });
    await expect(keys.create({ ...OWNER, name: '' })).rejects.toMatchObject({ code: 'validation_failed' });
    const forever = apiKeys({ allowNeverExpiring: true, clock: manualClock(T0) });
    expect((await forever.create({ ...OWNER, name: 'x', expiresIn: 'never' })).expiresAt).toBeNull();
    expect(() => apiKeys({ pepper: new Uint8Array(16) })).toThrow(expect.objectContaining({ option: 'pepper' }));
    expect(() => apiKeys({ defaultExpiresIn: '2y' as never })).toThrow(
      expect.objectContaining({ option: 'defaultExpiresIn' }),
    );
    expect(() => apiKeys({ lastUsedInterval: 10 })).toThrow(expect.objectContaining({ option: 'lastUsedInterval' }));
    expect(() => apiKeys({ prefx: 'a' } as never)).toThrow(expect.objectContaining({ option: 'prefx' }));
  });

  it('answers a bad checksum and garbage with no store call, and a hot key from the cache (sync, no store call)', async () => {
    const { store, calls, clock } = countingStore();
    const keys = apiKeys({ store, clock });
    const { key } = await keys.create({ ...OWNER, name: 'hot' });
    calls.length = 0;
    const typo = key.slice(0, 20) + (key[20] === 'a' ? 'b' : 'a') + key.slice(21);
    expect(keys.verify(typo)).toEqual({ ok: false, reason: 'checksum' });
    expect(keys.verify('hello')).toEqual({ ok: false, reason: 'malformed' });
    expect(calls).toEqual([]);
    expect((await keys.verify(key)).ok).toBe(true);
    expect(calls).toEqual(['get', 'touch']);
    calls.length = 0;
    for (let i = 0; i < 100; i++) {
      const hit = keys.verify(key);
      expect(hit).not.toBeInstanceOf(Promise);
      expect((hit as { ok: boolean }).ok).toBe(true);
    }
    expect(calls).toEqual([]);
    // A wrong secret under a real id: refused, from the cache too.
    const other = await keys.create({ ...OWNER, name: 'other' });
    const forged = other.key.replace(other.id, (await keys.list('alice'))[0]?.id ?? '');
    expect((await keys.verify(forged)).ok).toBe(false);
  });

  it('revocation is effective at once, cache included', async () => {
    const { store, clock } = countingStore();
    const keys = apiKeys({ store, clock });
    const { key, id } = await keys.create({ ...OWNER, name: 'k' });
    expect((await keys.verify(key)).ok).toBe(true);
    expect(await keys.revoke(id, { ownerId: 'mallory' })).toBe(false);
    expect((await keys.verify(key)).ok).toBe(true);
    expect(await keys.revoke(id, { ownerId: 'alice' })).toBe(true);
    expect(await keys.verify(key)).toEqual({ ok: false, reason: 'revoked' });
    expect((await keys.get(id))?.revokedAt).toBe(T0);
  });

  it("a revocation through another manager on the same store reaches this one's cache", async () => {
    const clock = manualClock(T0);
    const store = memoryApiKeyStore({ clock });
    const a = apiKeys({ store, clock });
    const b = apiKeys({ store, clock });
    const { key, id } = await a.create({ ...OWNER, name: 'k' });
    expect((await b.verify(key)).ok).toBe(true);
    expect(b.verify(key)).not.toBeInstanceOf(Promise);
    await a.revoke(id);
    // Evicted from b's cache by the store's invalidation: b reads the store again.
    expect(b.verify(key)).toBeInstanceOf(Promise);
    expect(await b.verify(key)).toEqual({ ok: false, reason: 'revoked' });
  });

  it('expires keys, checked on every cache hit', async () => {
    const { store, clock } = countingStore();
    const keys = apiKeys({ store, clock, cache: { ttl: '1h' } });
    const { key } = await keys.create({ ...OWNER, name: 'k', expiresIn: '10m' });
    expect((await keys.verify(key)).ok).toBe(true);
    clock.advance(10 * 60_000 - 1);
    expect((keys.verify(key) as { ok: boolean }).ok).toBe(true);
    clock.advance(1);
    expect(await keys.verify(key)).toEqual({ ok: false, reason: 'expired' });
  });

  it('rotation: both keys work inside the overlap, the old one fails after it, never past its own expiry', async () => {
    const { store, clock } = countingStore();
    const keys = apiKeys({ store, clock });
    const old = await keys.create({ ...OWNER, name: 'k', scopes: ['notes:read'], expiresIn: '2d' });
    expect((await keys.verify(old.key)).ok).toBe(true);
    const rotated = await keys.rotate(old.id, { ownerId: 'alice' });
    if (!rotated.ok) throw new Error('rotation refused');
    expect(rotated.key.scopes).toEqual(['notes:read']);
    expect(rotated.previous.expiresAt).toBe(T0 + 86_400_000);
    expect(rotated.previous.replacedBy).toBe(rotated.key.id);
    expect((await keys.verify(old.key)).ok).toBe(true);
    expect((await keys.verify(rotated.key.key)).ok).toBe(true);
    expect(await keys.rotate(old.id)).toEqual({ ok: false, reason: 'rotated' });
    clock.advance(86_400_000);
    expect(await keys.verify(old.key)).toEqual({ ok: false, reason: 'expired' });
    expect((await keys.verify(rotated.key.key)).ok).toBe(true);
    // An overlap longer than the key's remaining life ends with the key.
    const short = await keys.create({ ...OWNER, name: 's', expiresIn: '1h' });
    const r2 = await keys.rotate(short.id, { overlap: '1d' });
    expect(r2.ok && r2.previous.expiresAt).toBe(clock.now() + 3_600_000);
    // overlap 0: at once.
    const now = await keys.create({ ...OWNER, name: 'n' });
    expect((await keys.verify(now.key)).ok).toBe(true);
    const r3 = await keys.rotate(now.id, { overlap: 0 });
    expect(r3.ok).toBe(true);
    expect(await keys.verify(now.key)).toEqual({ ok: false, reason: 'revoked' });
    expect(await keys.rotate('0000000000000000', { ownerId: 'alice' })).toEqual({ ok: false, reason: 'not_found' });
    expect(await keys.rotate(rotated.key.id, { ownerId: 'mallory' })).toEqual({ ok: false, reason: 'not_found' });
  });

  it('rotation with ownerScopes: never hands a narrower credential a broader key', async () => {
    const { store, clock } = countingStore();
    const keys = apiKeys({ store, clock });
    const broad = await keys.create({ ...OWNER, name: 'broad', scopes: ['notes:read', 'notes:write'] });
    const narrow = await keys.create({ ...OWNER, name: 'narrow', scopes: ['notes:read'] });
    // A credential holding only notes:read: the broad key stays as it was, and keeps working.
    expect(await keys.rotate(broad.id, { ownerId: 'alice', ownerScopes: ['notes:read'] })).toEqual({
      ok: false,
      reason: 'insufficient_scope',
      missing: ['notes:write'],
    });
    expect((await keys.verify(broad.key)).ok).toBe(true);
    expect((await keys.get(broad.id))?.replacedBy).toBeNull();
    // Within its scopes (or with more), it rotates.
    const rotated = await keys.rotate(narrow.id, { ownerId: 'alice', ownerScopes: ['notes:read', 'keys:manage'] });
    expect(rotated.ok && rotated.key.scopes).toEqual(['notes:read']);
    // Another owner's key is not_found first, whatever the scopes: nothing about it is told.
    expect(await keys.rotate(broad.id, { ownerId: 'mallory', ownerScopes: [] })).toEqual({
      ok: false,
      reason: 'not_found',
    });
    await expect(keys.rotate(broad.id, { ownerScopes: 'notes:read' as never })).rejects.toThrow(/ownerScopes/);
  });

  it('writes lastUsedAt at most once a minute per key, in the background, and emits usage events', async () => {
    const { store, calls, clock } = countingStore();
    const events: ApiKeyEvent[] = [];
    const keys = apiKeys({ store, clock, onKeyEvent: (e) => events.push(e) });
    const { key, id } = await keys.create({ ...OWNER, name: 'k' });
    calls.length = 0;
    for (let i = 0; i < 50; i++) {
      await keys.verify(key);
      clock.advance(1000);
    }
    expect(calls.filter((c) => c === 'touch')).toHaveLength(1);
    clock.advance(60_000);
    await keys.verify(key);
    expect(calls.filter((c) => c === 'touch')).toHaveLength(2);
    expect((await keys.get(id))?.lastUsedAt).toBe(clock.now());
    expect(events.filter((e) => e.type === 'apikey.used')).toHaveLength(51);
    expect(events[0]).toEqual({ type: 'apikey.created', at: T0, keyId: id, ownerId: 'alice' });
    expect(JSON.stringify(events)).not.toContain(key);
  });

  it('with a pepper, stores HMAC-SHA-256 and a manager without the pepper cannot verify', async () => {
    const clock = manualClock(T0);
    const store = memoryApiKeyStore({ clock });
    const pepper = globalThis.crypto.getRandomValues(new Uint8Array(32));
    const keys = apiKeys({ store, clock, pepper });
    const { key, id } = await keys.create({ ...OWNER, name: 'k' });
    expect((await store.get(id))?.hash).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
    expect((await keys.verify(key)).ok).toBe(true);
    expect((await apiKeys({ store, clock }).verify(key)).ok).toBe(false);
    expect((await apiKeys({ store, clock, pepper: new Uint8Array(32) }).verify(key)).ok).toBe(false);
  });

  it('refuses keys of another environment unless accepted', async () => {
    const clock = manualClock(T0);
    const store = memoryApiKeyStore({ clock });
    const test = apiKeys({ store, clock, environment: 'test' });
    const { key } = await test.create({ ...OWNER, name: 'k' });
    expect(key).toContain('_test_');
    expect((await apiKeys({ store, clock }).verify(key)).ok).toBe(false);
    expect((await apiKeys({ store, clock, acceptEnvironments: ['live', 'test'] }).verify(key)).ok).toBe(true);
  });

  it('fails closed when the store fails', async () => {
    const clock = manualClock(T0);
    const good = memoryApiKeyStore({ clock });
    const keys = apiKeys({ store: good, clock });
    const { key } = await keys.create({ ...OWNER, name: 'k' });
    const broken: ApiKeyStore = {
      ...good,
      invalidations: good.invalidations,
      get: () => Promise.reject(new Error('down')),
    };
    expect(await apiKeys({ store: broken, clock }).verify(key)).toEqual({ ok: false, reason: 'store_unavailable' });
  });

  it('credits: spent atomically, never below zero, refilled', async () => {
    const clock = manualClock(T0);
    const keys = apiKeys({ clock });
    const { id } = await keys.create({ ...OWNER, name: 'k', credits: { remaining: 3, refillEvery: '1h' } });
    const spent = await Promise.all(Array.from({ length: 10 }, () => keys.consumeCredits(id)));
    expect(spent.filter((r) => r?.limited && r.ok)).toHaveLength(3);
    expect(await keys.consumeCredits(id)).toEqual({ limited: true, ok: false, remaining: 0 });
    clock.advance(3_600_000);
    expect(await keys.consumeCredits(id, 2)).toEqual({ limited: true, ok: true, remaining: 1 });
    const free = await keys.create({ ...OWNER, name: 'free' });
    expect(await keys.consumeCredits(free.id)).toEqual({ limited: false });
  });
});
