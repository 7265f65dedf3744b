import { manualClock } from '@bulwark/core';
import { base64url } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { VerifiedTokenCache } from './cache.js';
import {
  AUDIENCE,
  asymmetricKey,
  claims,
  ISSUER,
  staticKeys,
  T0,
  type TestKey,
  testRevocations,
  token,
} from './test-kit.js';
import { accessTokenVerifier } from './verifier.js';

let es256: TestKey;
beforeAll(async () => {
  es256 = await asymmetricKey('es256-key', 'ES256');
});

function setup(options: { async?: boolean; cache?: { maxEntries?: number; maxBytes?: number } } = {}) {
  const clock = manualClock(T0);
  const keys = staticKeys(es256);
  const revocations = testRevocations(options.async ? { async: true } : {});
  const verifier = accessTokenVerifier({
    keys,
    issuer: ISSUER,
    audience: AUDIENCE,
    algorithms: ['ES256'],
    clock,
    revocations,
    ...(options.cache ? { cache: options.cache } : {}),
  });
  return { clock, keys, revocations, verifier };
}

/** A cache entry for the cache's own tests: what is stored matters there, not what it says. */
function cacheEntry(fields: { jti?: string; bytes?: number } = {}) {
  return {
    outcome: {} as never,
    expMs: T0 + 1000,
    iatMs: T0,
    nbfMs: undefined,
    jti: fields.jti ?? 'j',
    sid: undefined,
    bytes: fields.bytes ?? 1,
    recent: false,
  };
}

describe('verified-token cache', () => {
  it('answers a hit synchronously, without looking the key up again, and still asks the revocation store', async () => {
    const { keys, revocations, verifier } = setup();
    const t = await token(es256);
    const first = await verifier.verify(t);
    expect(first.ok).toBe(true);
    const second = verifier.verify(t);
    expect(second).not.toBeInstanceOf(Promise);
    expect(second).toBe(first);
    expect(keys.lookups).toEqual([es256.kid]);
    expect(revocations.calls).toBe(2);
  });

  it('a revocation applies to a cached token at once; a failing store refuses a hit', async () => {
    const { revocations, verifier } = setup();
    const t = await token(es256);
    await verifier.verify(t);
    revocations.failing = true;
    expect(verifier.verify(t)).toEqual({ ok: false, reason: 'store_unavailable' });
    revocations.failing = false;
    expect((verifier.verify(t) as { ok: boolean }).ok).toBe(true);
    await revocations.revoke({ kind: 'jti', id: 'AAAAAAAAAAAAAAAAAAAAAA', until: T0 + 60_000 });
    expect(verifier.verify(t)).toEqual({ ok: false, reason: 'revoked' });
  });

  it('an async revocation store makes a hit a Promise, still checked', async () => {
    const { revocations, verifier } = setup({ async: true });
    const t = await token(es256);
    await verifier.verify(t);
    await revocations.revoke({ kind: 'sid', id: 'session-1', until: T0 + 60_000 });
    expect(await verifier.verify(t)).toEqual({ ok: false, reason: 'revoked' });
  });

  it('re-checks exp and nbf on every hit', async () => {
    const { clock, verifier } = setup();
    const t = await token(es256, claims({ exp: T0 / 1000 + 60, nbf: T0 / 1000 }));
    expect((await verifier.verify(t)).ok).toBe(true);
    clock.set(T0 + 65_000);
    expect(verifier.verify(t)).toEqual({ ok: false, reason: 'expired' });
    // The clock going back (a skewed host corrected) meets nbf on a hit too.
    const later = await token(es256, claims({ jti: 'later', nbf: T0 / 1000 + 100, iat: T0 / 1000 + 100 }));
    clock.set(T0 + 100_000);
    expect((await verifier.verify(later)).ok).toBe(true);
    clock.set(T0 + 90_000);
    expect(verifier.verify(later)).toEqual({ ok: false, reason: 'not_yet_valid' });
  });

  it('never caches a failure as a success: a failing token fails again, through the full path', async () => {
    const { keys, revocations, verifier } = setup();
    const bad = await token(es256, claims({ aud: 'other' }));
    expect(await verifier.verify(bad)).toEqual({ ok: false, reason: 'audience' });
    expect(await verifier.verify(bad)).toEqual({ ok: false, reason: 'audience' });
    expect(keys.lookups).toHaveLength(2);
    // Revoked at first sight: not stored, so still refused once the store forgets it (and verified in full).
    const t = await token(es256, claims({ jti: 'r1' }));
    await revocations.revoke({ kind: 'jti', id: 'r1', until: T0 + 60_000 });
    expect(await verifier.verify(t)).toEqual({ ok: false, reason: 'revoked' });
    const outcome = verifier.verify(t);
    expect(outcome).toBeInstanceOf(Promise);
  });

  it('a re-encoded copy of a cached token misses and fails (the argument for keying on the exact string)', async () => {
    const { keys, verifier } = setup();
    const t = await token(es256);
    expect((await verifier.verify(t)).ok).toBe(true);
    const [h, p, s] = t.split('.') as [string, string, string];
    const sig = base64url.decode(s);
    // The same 64 signature bytes with different spare bits: a different string, same bytes.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(s[s.length - 1] as string);
    const respared = s.slice(0, -1) + alphabet[last | 1];
    expect(base64url.decode(respared)).toEqual(sig);
    const copies = [`${h}.${p}.${respared}`, `${h}.${p}.${s}==`, `${h}=.${p}.${s}`, `${h}.${p}=.${s}`];
    for (const copy of copies) {
      const outcome = verifier.verify(copy);
      // A miss: the full path runs (a synchronous refusal of the encoding, not the cached success).
      expect(outcome).toEqual({ ok: false, reason: 'encoding' });
    }
    expect(keys.lookups).toHaveLength(1);
  });

  it("a forged payload under a cached token's signature misses and fails, and the real token still hits", async () => {
    const { keys, verifier } = setup();
    const t = await token(es256, claims({ sub: 'alice' }));
    const first = await verifier.verify(t);
    expect(first.ok).toBe(true);
    const [h, , s] = t.split('.') as [string, string, string];
    // Same signature part (the cache's index), another payload: a different token string.
    const forgedPayload = base64url.encode(JSON.stringify(claims({ sub: 'mallory' })));
    const forged = `${h}.${forgedPayload}.${s}`;
    const outcome = await verifier.verify(forged);
    expect(outcome).toEqual({ ok: false, reason: 'signature' });
    // It went through the full path (a key lookup), and did not displace alice's entry.
    expect(keys.lookups).toHaveLength(2);
    expect(verifier.verify(t)).toBe(first);
  });

  it('indexes by the end of the signature but answers only the exact string stored', () => {
    const direct = new VerifiedTokenCache(10, 1_000_000);
    const entry = (jti: string, bytes: number) => cacheEntry({ jti, bytes });
    direct.set('h.p.signature', entry('a', 10), T0);
    expect(direct.get('h.p.signature')?.jti).toBe('a');
    expect(direct.get('h.q.signature')).toBeUndefined();
    expect(direct.get('signature')).toBeUndefined();
    // Deleting another token under the same index leaves the stored one.
    direct.delete('h.q.signature');
    expect(direct.get('h.p.signature')?.jti).toBe('a');
    // A second token under the same index replaces the first, and the bytes follow.
    direct.set('h.q.signature', entry('b', 20), T0);
    expect(direct.size).toBe(1);
    expect(direct.bytes).toBe(20);
    expect(direct.get('h.p.signature')).toBeUndefined();
    expect(direct.get('h.q.signature')?.jti).toBe('b');
    direct.delete('h.q.signature');
    expect(direct.size).toBe(0);
    expect(direct.bytes).toBe(0);
  });

  it('a get right after has reuses its find only for that string, and only while nothing changed', () => {
    const direct = new VerifiedTokenCache(10, 1_000_000);
    const entry = (jti: string) => cacheEntry({ jti });
    direct.set('h.p.signature-a', entry('a'), T0);
    direct.set('h.p.signature-b', entry('b'), T0);
    expect(direct.has('h.p.signature-a')).toBe(true);
    expect(direct.get('h.p.signature-b')?.jti).toBe('b');
    expect(direct.has('h.p.signature-a')).toBe(true);
    direct.delete('h.p.signature-a');
    expect(direct.get('h.p.signature-a')).toBeUndefined();
    expect(direct.has('h.p.signature-b')).toBe(true);
    // Replaced under the same index in between: the new entry, not the one has found.
    direct.set('h.q.signature-b', entry('c'), T0);
    expect(direct.get('h.p.signature-b')).toBeUndefined();
    expect(direct.get('h.q.signature-b')?.jti).toBe('c');
    expect(direct.has('h.x.signature-b')).toBe(false);
    expect(direct.get('h.q.signature-b')?.jti).toBe('c');
  });

  it('spreads real signatures over its index: 10,000 random ones share almost no slot', () => {
    const direct = new VerifiedTokenCache(20_000, 2 ** 40);
    for (let i = 0; i < 10_000; i++) {
      const signature = base64url.encode(globalThis.crypto.getRandomValues(new Uint8Array(32)));
      direct.set(`eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.${signature}`, cacheEntry(), T0);
    }
    // About 0.05 collisions are expected with 30 bits; each would replace a slot, not share it.
    expect(direct.size).toBeGreaterThanOrEqual(9_997);
  });

  it('is bounded by entries and by bytes', async () => {
    const { verifier } = setup({ cache: { maxEntries: 3 } });
    const tokens = await Promise.all([1, 2, 3, 4].map((i) => token(es256, claims({ jti: `j${i}` }))));
    for (const t of tokens) await verifier.verify(t);
    // The oldest (never hit) went; the others are still hits.
    expect(verifier.verify(tokens[0] as string)).toBeInstanceOf(Promise);
    const direct = new VerifiedTokenCache(100, 4096);
    const entry = (bytes: number) => cacheEntry({ bytes });
    for (let i = 0; i < 10; i++) direct.set(`t${i}`, entry(1000), T0);
    expect(direct.size).toBe(4);
    expect(direct.bytes).toBeLessThanOrEqual(4096);
    direct.set('huge', entry(5000), T0);
    expect(direct.get('huge')).toBeUndefined();
  });

  it('gives a recently hit entry a second chance over an older one not hit', () => {
    const direct = new VerifiedTokenCache(2, 1_000_000);
    const entry = () => cacheEntry();
    direct.set('a', entry(), T0);
    direct.set('b', entry(), T0);
    direct.get('a');
    direct.set('c', entry(), T0);
    expect(direct.get('a')).toBeDefined();
    expect(direct.get('b')).toBeUndefined();
    expect(direct.get('c')).toBeDefined();
  });

  it('verifiedBefore: only the exact string of a success still cached, whatever its validity now', async () => {
    const { clock, revocations, verifier } = setup({ cache: { maxEntries: 2 } });
    const t = await token(es256, claims({ exp: T0 / 1000 + 60 }));
    expect(verifier.verifiedBefore?.(t)).toBe(false);
    expect((await verifier.verify(t)).ok).toBe(true);
    expect(verifier.verifiedBefore?.(t)).toBe(true);
    const [h, p, s] = t.split('.') as [string, string, string];
    for (const copy of [`${h}.${p}.${s}==`, `${h}=.${p}.${s}`, ` ${t}`, `${t} `, `${t}, Bearer ${t}`, t.slice(0, -1)]) {
      expect(verifier.verifiedBefore?.(copy)).toBe(false);
    }
    expect(verifier.verifiedBefore?.(42 as never)).toBe(false);
    // Well-formed, not valid: a revoked or expired token is still "verified before"; verify refuses it.
    await revocations.revoke({ kind: 'jti', id: 'AAAAAAAAAAAAAAAAAAAAAA', until: T0 + 60_000 });
    expect(verifier.verifiedBefore?.(t)).toBe(true);
    expect(verifier.verify(t)).toEqual({ ok: false, reason: 'revoked' });
    // A failure stores nothing.
    const bad = await token(es256, claims({ aud: 'other', jti: 'bad' }));
    expect((await verifier.verify(bad)).ok).toBe(false);
    expect(verifier.verifiedBefore?.(bad)).toBe(false);
    // Evicted: forgotten. An expired entry is dropped by the hit that finds it expired.
    const u = await token(es256, claims({ jti: 'u' }));
    expect((await verifier.verify(u)).ok).toBe(true);
    expect(verifier.verifiedBefore?.(u)).toBe(true);
    const others = [await token(es256, claims({ jti: 'o1' })), await token(es256, claims({ jti: 'o2' }))];
    for (const other of others) expect((await verifier.verify(other)).ok).toBe(true);
    expect(verifier.verifiedBefore?.(u)).toBe(false);
    clock.set(T0 + 7_200_000);
    expect(verifier.verify(others[1] as string)).toEqual({ ok: false, reason: 'expired' });
    expect(verifier.verifiedBefore?.(others[1] as string)).toBe(false);
  });

  it('cache: false verifies every time', async () => {
    const keys = staticKeys(es256);
    const verifier = accessTokenVerifier({
      keys,
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ['ES256'],
      clock: () => T0,
      cache: false,
    });
    const t = await token(es256);
    await verifier.verify(t);
    expect(verifier.verify(t)).toBeInstanceOf(Promise);
    await verifier.verify(t);
    expect(keys.lookups).toHaveLength(3);
    expect(verifier.verifiedBefore?.(t)).toBe(false);
  });
});
