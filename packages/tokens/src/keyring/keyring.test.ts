import { manualClock, type SecurityEvent } from '@bulwark/core';
import { base64url, calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK, jwtVerify, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import type { SigningAlgorithm } from '../keys.js';
import { keyring } from './keyring.js';
import { open, sealingKey } from './seal.js';
import { type KeyringStore, memoryKeyringStore } from './store.js';

const T0 = Date.UTC(2030, 0, 1);
const MIN = 60_000;
const DAY = 86_400_000;
const KEK = new Uint8Array(32).fill(7);
const ASYMMETRIC: readonly SigningAlgorithm[] = ['ES256', 'ES384', 'EdDSA', 'RS256', 'PS256'];
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k', 'priv'];
const PUBLIC_MEMBERS: Record<string, string[]> = {
  EC: ['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y'],
  OKP: ['alg', 'crv', 'kid', 'kty', 'use', 'x'],
  RSA: ['alg', 'e', 'kid', 'kty', 'n', 'use'],
};

async function roundTrip(source: ReturnType<typeof keyring>): Promise<string> {
  const signing = await source.signingKey();
  const token = await new SignJWT({ sub: 'u' })
    .setProtectedHeader({ alg: signing.alg, kid: signing.kid })
    .sign(signing.key);
  const verification = await source.key(signing.kid);
  expect(verification?.alg).toBe(signing.alg);
  await jwtVerify(token, verification?.key as CryptoKey, { algorithms: [signing.alg] });
  return signing.kid;
}

describe('keyring: generated keys', () => {
  it.each(ASYMMETRIC)('%s: kid is the RFC 7638 thumbprint; jwks() is public only, with kid, alg, use', async (alg) => {
    const keys = keyring({ algorithm: alg });
    const kid = await roundTrip(keys);
    const { keys: published } = await keys.jwks();
    expect(published).toHaveLength(1);
    const jwk = published[0] as JWK;
    expect(Object.keys(jwk).sort()).toEqual(PUBLIC_MEMBERS[jwk.kty as string]);
    for (const member of PRIVATE_MEMBERS) expect(jwk).not.toHaveProperty(member);
    expect(jwk).toMatchObject({ kid, alg, use: 'sig' });
    expect(await calculateJwkThumbprint(jwk)).toBe(kid);
    // The signing key cannot be exported from the running process.
    expect(((await keys.signingKey()).key as CryptoKey).extractable).toBe(false);
  });

  it.each(['HS256', 'HS384', 'HS512'] as const)(
    '%s: a random kid, signs and verifies, never published',
    async (alg) => {
      const keys = keyring({ algorithm: alg });
      const kid = await roundTrip(keys);
      expect(kid).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(await keys.jwks()).toEqual({ keys: [] });
    },
  );

  it('an unknown kid finds nothing (a Map lookup: no prototype member answers) and never reaches the store', async () => {
    const inner = memoryKeyringStore();
    let loads = 0;
    const store: KeyringStore = {
      load: (now) => {
        loads++;
        return inner.load(now);
      },
      create: (record, options) => inner.create(record, options),
    };
    const keys = keyring({ store, keyEncryptionKey: KEK, clock: manualClock(T0) });
    await keys.signingKey();
    expect(loads).toBe(1);
    for (const kid of ['nope', '__proto__', 'constructor', 'toString']) expect(keys.key(kid)).toBeUndefined();
    for (let i = 0; i < 1000; i++) expect(keys.key(`random-${i}`)).toBeUndefined();
    expect(loads).toBe(1);
  });
});

describe('keyring: rotation schedule', () => {
  const setup = () => {
    const clock = manualClock(T0);
    const events: SecurityEvent[] = [];
    const store = memoryKeyringStore();
    const keys = keyring({ store, clock, onEvent: (e) => events.push(e) });
    return { clock, events, store, keys };
  };
  const kids = async (keys: ReturnType<typeof keyring>) => (await keys.jwks()).keys.map((k) => k.kid);

  it('next -> active -> verify-only -> retired, on the default schedule', async () => {
    const { clock, events, store, keys } = setup();
    const a = (await keys.signingKey()).kid;
    expect(events.filter((e) => e.type === 'keyring.key_created')).toHaveLength(1);

    clock.set(T0 + 30 * DAY - 10 * MIN - 1);
    expect((await keys.signingKey()).kid).toBe(a);
    expect(await kids(keys)).toEqual([a]);

    // publishAhead (10m) before the rotation time: the successor is published, not signing.
    clock.set(T0 + 30 * DAY - 10 * MIN);
    expect((await keys.signingKey()).kid).toBe(a);
    const [, b] = (await kids(keys)) as string[];
    expect(b).toBeDefined();
    expect((await keys.status()).map((s) => s.state)).toEqual(['active', 'next']);
    expect(await keys.key(b as string)).toBeDefined();

    clock.set(T0 + 30 * DAY - 1);
    expect((await keys.signingKey()).kid).toBe(a);
    clock.set(T0 + 30 * DAY);
    expect((await keys.signingKey()).kid).toBe(b);
    expect((await keys.status()).map((s) => s.state)).toEqual(['verify-only', 'active']);
    expect(await keys.key(a)).toBeDefined();

    // The superseded key verifies for retireAfter (65m), then is gone.
    clock.set(T0 + 30 * DAY + 65 * MIN - 1);
    expect(await keys.key(a)).toBeDefined();
    clock.set(T0 + 30 * DAY + 65 * MIN);
    expect(await keys.key(a)).toBeUndefined();
    expect(await kids(keys)).toEqual([b]);
    expect(events.filter((e) => e.type === 'keyring.key_created')).toHaveLength(2);

    // The retired record leaves the store with the next creation.
    clock.set(T0 + 60 * DAY);
    await keys.signingKey();
    expect((await store.load(clock.now())).records.map((r) => r.kid)).not.toContain(a);
  });

  it('a keyring unused at rotation time publishes the successor at first use, publishAhead before it signs', async () => {
    const { clock, keys } = setup();
    const a = (await keys.signingKey()).kid;
    clock.set(T0 + 45 * DAY);
    expect((await keys.signingKey()).kid).toBe(a);
    const [, next] = await keys.status();
    expect(next).toMatchObject({ state: 'next', activatesAt: T0 + 45 * DAY + 10 * MIN });
    clock.advance(10 * MIN);
    expect((await keys.signingKey()).kid).toBe(next?.kid);
  });

  it('rotate() publishes a successor now that signs after publishAhead; twice is once', async () => {
    const { clock, keys } = setup();
    const a = (await keys.signingKey()).kid;
    clock.advance(DAY);
    const first = await keys.rotate();
    expect(await keys.rotate()).toEqual(first);
    expect(first.activatesAt).toBe(T0 + DAY + 10 * MIN);
    expect((await keys.signingKey()).kid).toBe(a);
    expect(await kids(keys)).toEqual([a, first.kid]);
    clock.advance(10 * MIN);
    expect((await keys.signingKey()).kid).toBe(first.kid);
  });

  it('switches keys at the exact instant, answering synchronously from what it loaded', async () => {
    const { clock, keys } = setup();
    const a = (await keys.signingKey()).kid;
    clock.advance(DAY);
    const b = await keys.rotate();
    clock.advance(9 * MIN);
    await keys.status(); // a reload in between: the view is fresh when b activates
    clock.set(b.activatesAt - 1);
    expect(keys.signingKey()).toMatchObject({ kid: a });
    clock.set(b.activatesAt);
    expect(keys.signingKey()).toMatchObject({ kid: b.kid });
    expect(keys.key(a)).toMatchObject({ kid: a });
  });

  it('a keyring on the same store learns keys another created within refreshEvery', async () => {
    const clock = manualClock(T0);
    const store = memoryKeyringStore();
    const one = keyring({ store, clock });
    const two = keyring({ store, clock });
    const a = await roundTrip(one);
    expect(await roundTrip(two)).toBe(a);
    const next = await one.rotate();
    expect(await two.key(next.kid)).toBeUndefined();
    clock.advance(MIN);
    expect(await two.key(next.kid)).toBeDefined();
    expect(await kids(two)).toEqual([a, next.kid]);
  });
});

describe('keyring: keys at rest', () => {
  it('stores private keys sealed with AES-256-GCM under the key-encryption key, the kid bound as additional data', async () => {
    const store = memoryKeyringStore();
    const keys = keyring({ store, keyEncryptionKey: KEK, algorithm: 'ES256' });
    const { kid } = await keys.signingKey();
    const [record] = (await store.load()).records;
    expect(record?.kid).toBe(kid);
    expect(record?.sealed).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
    const key = await sealingKey(KEK);
    const jwk = JSON.parse(await open(key, kid, record?.sealed as string)) as JWK;
    expect(jwk).toMatchObject({ kty: 'EC', kid, alg: 'ES256' });
    expect(record?.sealed).not.toContain(jwk.d);
    // Another kid (the record moved) or another KEK does not open it.
    await expect(open(key, `${kid}x`, record?.sealed as string)).rejects.toMatchObject({ option: 'keyEncryptionKey' });
    const other = keyring({ store, keyEncryptionKey: new Uint8Array(32).fill(8) });
    await expect(other.signingKey()).rejects.toMatchObject({ name: 'ConfigError', option: 'keyEncryptionKey' });
  });

  it('a random IV per key: two keys sealed alike differ', async () => {
    const store = memoryKeyringStore();
    const keys = keyring({ store, algorithm: 'HS256' });
    await keys.signingKey();
    await keys.rotate();
    const [a, b] = (await store.load()).records;
    expect(a?.sealed.split('.')[1]).not.toBe(b?.sealed.split('.')[1]);
  });
});

describe('keyring: configuration', () => {
  const foreign: KeyringStore = {
    load: async () => ({ now: 0, records: [] }),
    create: async () => ({ now: 0, records: [], created: false }),
  };

  it.each([
    [{ keyEncryptionKey: new Uint8Array(31) }, 'keyEncryptionKey'],
    [{ keyEncryptionKey: 'a'.repeat(32) as unknown as Uint8Array }, 'keyEncryptionKey'],
    [{ store: foreign }, 'keyEncryptionKey'],
    [{ algorithm: 'none' as SigningAlgorithm }, 'algorithm'],
    [{ algorithm: 'RS512' as SigningAlgorithm }, 'algorithm'],
    [{ publishAhead: '1m' as const }, 'publishAhead'],
    [{ rotateEvery: '10m' as const }, 'rotateEvery'],
    [{ retireAfter: 0 }, 'retireAfter'],
    [{ rotateEvry: '1d' } as unknown as object, 'rotateEvry'],
  ])('refuses %o naming %s', (options, option) => {
    expect(() => keyring(options)).toThrow(expect.objectContaining({ name: 'ConfigError', option }));
  });

  it('takes any other store with a key-encryption key of 32 bytes or more', () => {
    expect(() => keyring({ store: foreign, keyEncryptionKey: new Uint8Array(32) })).not.toThrow();
    expect(() => keyring({ store: foreign, keyEncryptionKey: new Uint8Array(64) })).not.toThrow();
  });
});

describe('keyring: initialKeys (bring your own keys)', () => {
  async function privateJwk(alg: SigningAlgorithm, kid: string): Promise<JWK> {
    const { privateKey } = await generateKeyPair(alg, { extractable: true });
    return { ...(await exportJWK(privateKey)), kid, alg };
  }
  const secret = (bytes: number): JWK => ({
    kty: 'oct',
    k: base64url.encode(new Uint8Array(bytes).fill(1)),
    kid: `hs-${bytes}`,
    alg: 'HS256',
  });

  it('signs with the first, verifies with all, publishes the asymmetric ones', async () => {
    const set = { keys: [await privateJwk('EdDSA', 'ed-1'), await privateJwk('ES256', 'ec-1'), secret(32)] };
    const keys = keyring({ initialKeys: set });
    expect(await roundTrip(keys)).toBe('ed-1');
    expect((await keys.key('ec-1'))?.alg).toBe('ES256');
    expect((await keys.key('hs-32'))?.alg).toBe('HS256');
    const { keys: published } = await keys.jwks();
    expect(published.map((k) => k.kid)).toEqual(['ed-1', 'ec-1']);
    for (const jwk of published) for (const member of PRIVATE_MEMBERS) expect(jwk).not.toHaveProperty(member);
    await expect(keys.rotate()).rejects.toMatchObject({ code: 'invalid_argument' });
  });

  it('refuses a key without kid or alg, a public-only key, a short HMAC secret, duplicates, and generation options', async () => {
    const ec = await privateJwk('ES256', 'ec');
    const { d: _d, ...publicOnly } = ec;
    const cases: Array<[unknown, string, RegExp]> = [
      [{ keys: [{ ...ec, kid: undefined }] }, 'initialKeys.keys[0]', /kid/],
      [{ keys: [{ ...ec, alg: undefined }] }, 'initialKeys.keys[0]', /alg/],
      [{ keys: [{ ...ec, alg: 'ES384' }] }, 'initialKeys.keys[0]', /crv/],
      [{ keys: [{ ...ec, kid: 'a/b' }] }, 'initialKeys.keys[0]', /kid/],
      [{ keys: [publicOnly] }, 'initialKeys.keys[0]', /public key only/],
      [{ keys: [ec, secret(31)] }, 'initialKeys.keys[1]', /at least 32 bytes/],
      [{ keys: [{ ...secret(47), alg: 'HS384' }] }, 'initialKeys.keys[0]', /at least 48 bytes/],
      [{ keys: [ec, ec] }, 'initialKeys.keys[1].kid', /twice/],
      [{ keys: [] }, 'initialKeys.keys', /empty/],
      [{}, 'initialKeys', /JWK Set/],
    ];
    for (const [initialKeys, option, message] of cases) {
      expect(() => keyring({ initialKeys: initialKeys as { keys: JWK[] } }), option).toThrow(
        expect.objectContaining({ name: 'ConfigError', option, message: expect.stringMatching(message) }),
      );
    }
    expect(() => keyring({ initialKeys: { keys: [ec] }, store: memoryKeyringStore() })).toThrow(
      expect.objectContaining({ option: 'store' }),
    );
    expect(() => keyring({ initialKeys: { keys: [ec] }, algorithm: 'ES256' })).toThrow(
      expect.objectContaining({ option: 'algorithm' }),
    );
  });

  it('refuses an RSA key under 2048 bits', () => {
    const short = {
      kty: 'RSA',
      n: base64url.encode(new Uint8Array(128).fill(3)),
      e: 'AQAB',
      d: 'AQAB',
      kid: 'r',
      alg: 'RS256',
    };
    expect(() => keyring({ initialKeys: { keys: [short] } })).toThrow(
      expect.objectContaining({ option: 'initialKeys.keys[0]', message: expect.stringMatching(/2048/) }),
    );
  });
});

describe('keyring: many keyrings on one store, in parallel', () => {
  it('agree on the active key; exactly one creates each new key', async () => {
    const clock = manualClock(T0);
    const store = memoryKeyringStore();
    const events: SecurityEvent[] = [];
    const rings = Array.from({ length: 20 }, () => keyring({ store, clock, onEvent: (e) => events.push(e) }));
    const first = await Promise.all(rings.map((k) => k.signingKey()));
    expect(new Set(first.map((k) => k.kid)).size).toBe(1);
    expect(events.filter((e) => e.type === 'keyring.key_created')).toHaveLength(1);
    clock.set(T0 + 30 * DAY);
    const second = await Promise.all(rings.map((k) => k.jwks()));
    expect(new Set(second.map((s) => s.keys.map((k) => k.kid).join()))).toHaveProperty('size', 1);
    expect(events.filter((e) => e.type === 'keyring.key_created')).toHaveLength(2);
    clock.advance(10 * MIN);
    const signing = await Promise.all(rings.map((k) => k.signingKey()));
    expect(new Set(signing.map((k) => k.kid)).size).toBe(1);
    expect(signing[0]?.kid).not.toBe(first[0]?.kid);
    expect((await store.load(clock.now())).records.map((r) => r.generation)).toEqual([1, 2]);
  });
});

describe('keyring: store failures', () => {
  it('no loaded keys: store_unavailable; loaded keys serve through a failure for at most publishAhead', async () => {
    const clock = manualClock(T0);
    const inner = memoryKeyringStore();
    let down = true;
    const flaky: KeyringStore = {
      load: (now) => (down ? Promise.reject(new Error('down')) : inner.load(now)),
      create: (r, o) => (down ? Promise.reject(new Error('down')) : inner.create(r, o)),
    };
    const events: SecurityEvent[] = [];
    const keys = keyring({ store: flaky, keyEncryptionKey: KEK, clock, onEvent: (e) => events.push(e) });
    await expect(keys.signingKey()).rejects.toMatchObject({ code: 'store_unavailable' });
    down = false;
    const { kid } = await keys.signingKey();
    down = true;
    clock.advance(2 * MIN);
    // Due for a reload: answered at once from the loaded keys, the reload in the background.
    expect(keys.signingKey()).toMatchObject({ kid });
    expect((await keys.status()).map((s) => s.kid)).toEqual([kid]);
    expect(events.at(-1)).toMatchObject({ type: 'keyring.store_failure', stale: true });
    expect((await keys.signingKey()).kid).toBe(kid);
    clock.advance(8 * MIN);
    await expect(keys.signingKey()).rejects.toMatchObject({ code: 'store_unavailable' });
  });
});
