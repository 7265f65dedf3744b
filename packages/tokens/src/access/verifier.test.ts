import { ConfigError, manualClock, type SecurityEvent } from '@bulwark/core';
import { base64url } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import type { VerificationKey } from '../keys.js';
import {
  AUDIENCE,
  asymmetricKey,
  b64,
  claims,
  hmacKey,
  hmacSignRaw,
  ISSUER,
  NOW_S,
  publicJwkText,
  signTexts,
  staticKeys,
  T0,
  type TestKey,
  testRevocations,
  token,
} from './test-kit.js';
import { type AccessTokenVerifierOptions, accessTokenVerifier } from './verifier.js';

let es256: TestKey;
let es384: TestKey;
let eddsa: TestKey;
let rs256: TestKey;
let hs256: TestKey;

beforeAll(async () => {
  [es256, es384, eddsa, rs256, hs256] = await Promise.all([
    asymmetricKey('es256-key', 'ES256'),
    asymmetricKey('es384-key', 'ES384'),
    asymmetricKey('eddsa-key', 'EdDSA'),
    asymmetricKey('rs256-key', 'RS256'),
    hmacKey('hs256-key'),
  ]);
});

function verifier(overrides: Partial<AccessTokenVerifierOptions> = {}) {
  return accessTokenVerifier({
    keys: staticKeys(es256, es384, eddsa, rs256),
    issuer: ISSUER,
    audience: AUDIENCE,
    algorithms: ['ES256', 'ES384', 'EdDSA', 'RS256'],
    clock: manualClock(T0),
    cache: false,
    ...overrides,
  });
}

async function reasonOf(tokenText: string, overrides: Partial<AccessTokenVerifierOptions> = {}) {
  const outcome = await verifier(overrides).verify(tokenText);
  return outcome.ok ? 'ok' : outcome.reason;
}

describe('accessTokenVerifier: valid tokens', () => {
  it('verifies ES256, ES384, EdDSA and RS256 tokens and builds the principal', async () => {
    for (const key of [es256, es384, eddsa, rs256]) {
      const outcome = await verifier().verify(await token(key));
      expect(outcome.ok, key.alg).toBe(true);
      if (!outcome.ok) continue;
      expect(outcome.principal).toEqual({
        subject: 'user-42',
        kind: 'user',
        scopes: ['notes:read', 'notes:write'],
        source: { kind: 'jwt', issuer: ISSUER, tokenId: 'AAAAAAAAAAAAAAAAAAAAAA' },
        claims: outcome.claims,
      });
      expect(Object.isFrozen(outcome.claims)).toBe(true);
    }
  });

  it('verifies HS256 with a 32-byte secret, and accepts application/at+jwt and an aud array', async () => {
    const v = verifier({ keys: staticKeys(hs256), algorithms: ['HS256'] });
    expect((await v.verify(await token(hs256))).ok).toBe(true);
    const other = await token(hs256, claims({ aud: ['other-api', AUDIENCE] }), { typ: 'application/AT+JWT' });
    expect((await v.verify(other)).ok).toBe(true);
  });

  it('a token whose sub is its client_id is a service principal; no scope claim is no scopes', async () => {
    const outcome = await verifier().verify(
      await token(es256, claims({ sub: 'cron', client_id: 'cron', scope: undefined })),
    );
    expect(outcome.ok && outcome.principal.kind).toBe('service');
    expect(outcome.ok && outcome.principal.scopes).toEqual([]);
  });
});

describe('accessTokenVerifier: the header (THREATS.md Tokens)', () => {
  it('refuses alg none (any case, empty signature), whatever the allowlist', async () => {
    for (const alg of ['none', 'None', 'NONE']) {
      const unsigned = `${b64(JSON.stringify({ alg, typ: 'at+jwt', kid: es256.kid }))}.${b64(JSON.stringify(claims()))}.`;
      expect(await reasonOf(unsigned)).toBe('algorithm');
    }
  });

  it('refuses an alg other than the key bound to the kid (ES384 kid, ES256 token), and one outside the allowlist', async () => {
    // Signed by the ES256 key but naming the ES384 key's kid: the alg is checked against the key.
    expect(await reasonOf(await token(es256, claims(), { kid: es384.kid }))).toBe('algorithm');
    // Allowed algorithms only: the EdDSA token is valid but EdDSA is not in this allowlist.
    expect(await reasonOf(await token(eddsa), { algorithms: ['ES256'] })).toBe('algorithm');
    // And an alg the key set does not have at all.
    expect(await reasonOf(await token(es256, claims(), { alg: 'PS256' }))).toBe('algorithm');
  });

  it('requires an explicit, non-empty allowlist of known algorithms', () => {
    const base = { keys: staticKeys(), issuer: ISSUER, audience: AUDIENCE };
    expect(() => accessTokenVerifier(base as never)).toThrow(ConfigError);
    expect(() => accessTokenVerifier({ ...base, algorithms: [] })).toThrow(/algorithms/);
    expect(() => accessTokenVerifier({ ...base, algorithms: ['none' as never] })).toThrow(/algorithms\[0\]/);
  });

  it('refuses RS256 -> HS256 confusion: a token HMAC-signed with the RSA public key', async () => {
    const header = b64(JSON.stringify({ alg: 'HS256', typ: 'at+jwt', kid: rs256.kid }));
    const input = `${header}.${b64(JSON.stringify(claims()))}`;
    for (const secretText of [await publicJwkText(rs256), 'any']) {
      const forged = await hmacSignRaw(input, new TextEncoder().encode(secretText));
      // With HS256 allowed (a mixed deployment) the RS256 key still refuses it; without, the allowlist does.
      expect(await reasonOf(forged, { algorithms: ['RS256', 'HS256'] })).toBe('algorithm');
      expect(await reasonOf(forged)).toBe('algorithm');
    }
    // A source that hands raw bytes as an "RS256" key is refused too (never given to HMAC).
    const raw: VerificationKey = {
      kid: 'raw',
      alg: 'RS256',
      key: new TextEncoder().encode(await publicJwkText(rs256)),
    };
    expect(await reasonOf(await token(rs256, claims(), { kid: 'raw' }), { keys: staticKeys(raw) })).toBe('algorithm');
  });

  it('refuses a symmetric alg against an asymmetric key set, and an HS256-bound public key', async () => {
    const forged = await hmacSignRaw(
      `${b64(JSON.stringify({ alg: 'HS256', typ: 'at+jwt', kid: es256.kid }))}.${b64(JSON.stringify(claims()))}`,
      new Uint8Array(32),
    );
    expect(await reasonOf(forged, { algorithms: ['HS256', 'ES256'] })).toBe('algorithm');
    // A source binding an ECDSA public key to HS256 is refused before jose sees it.
    const mislabelled: VerificationKey = { kid: 'ml', alg: 'HS256', key: es256.verification.key };
    const t = await hmacSignRaw(
      `${b64(JSON.stringify({ alg: 'HS256', typ: 'at+jwt', kid: 'ml' }))}.${b64(JSON.stringify(claims()))}`,
      new Uint8Array(32),
    );
    expect(await reasonOf(t, { keys: staticKeys(mislabelled), algorithms: ['HS256'] })).toBe('algorithm');
  });

  it('refuses a kid over 128 characters or outside [A-Za-z0-9._-] without asking the key source', async () => {
    for (const kid of ['a'.repeat(129), '../../etc/passwd', "k' OR 1=1", 'https://evil.test/k', 'k id', '', 7]) {
      const keys = staticKeys(es256);
      expect(await reasonOf(await token(es256, claims(), { kid }), { keys })).toBe('header');
      expect(keys.lookups).toEqual([]);
    }
    expect(await reasonOf(await token(es256, claims(), { kid: undefined }))).toBe('header');
    const long = await asymmetricKey('k'.repeat(128), 'ES256');
    expect(await reasonOf(await token(long), { keys: staticKeys(long) })).toBe('ok');
  });

  it('ignores jku, x5u, jwk and x5c: a token carrying its own key is verified with ours only', async () => {
    const attacker = await asymmetricKey(es256.kid, 'ES256');
    const jwk = JSON.parse(await publicJwkText(attacker));
    const header = { jwk, jku: 'https://evil.test/jwks', x5u: 'https://evil.test/x5u', x5c: ['MIIB'] };
    expect(await reasonOf(await token(attacker, claims(), header))).toBe('signature');
    // The same members on a token our key signed change nothing either.
    expect(await reasonOf(await token(es256, claims(), header))).toBe('ok');
  });

  it('refuses any crit, known or not, and b64 (false, or present at all)', async () => {
    expect(await reasonOf(await token(es256, claims(), { crit: ['exp'], exp: 1 }))).toBe('header');
    expect(await reasonOf(await token(es256, claims(), { crit: ['b64'], b64: false }))).toBe('header');
    expect(await reasonOf(await token(es256, claims(), { b64: false }))).toBe('header');
    expect(await reasonOf(await token(es256, claims(), { b64: true }))).toBe('header');
  });

  it('refuses a typ other than at+jwt: ID tokens, refresh tokens, plain JWTs, none', async () => {
    for (const typ of ['JWT', 'jwt', 'id_token+jwt', 'rt+jwt', 'application/jwt', 'at+jwt ', undefined, 1]) {
      expect(await reasonOf(await token(es256, claims(), { typ })), String(typ)).toBe('type');
    }
  });
});

describe('accessTokenVerifier: the claims', () => {
  it('refuses each missing required claim: exp, iat, iss, aud, sub, jti', async () => {
    for (const name of ['exp', 'iat', 'iss', 'aud', 'sub', 'jti']) {
      expect(await reasonOf(await token(es256, claims({ [name]: undefined }))), name).toBe('claims');
    }
  });

  it('refuses an iat in the future beyond the tolerance (default 5s), not within it', async () => {
    expect(await reasonOf(await token(es256, claims({ iat: NOW_S + 5 })))).toBe('ok');
    expect(await reasonOf(await token(es256, claims({ iat: NOW_S + 6 })))).toBe('issued_in_future');
    expect(await reasonOf(await token(es256, claims({ iat: NOW_S + 30 })), { clockTolerance: '30s' })).toBe('ok');
  });

  it('refuses a clock tolerance over 60s', () => {
    expect(() => verifier({ clockTolerance: '61s' })).toThrow(expect.objectContaining({ option: 'clockTolerance' }));
    expect(() => verifier({ clockTolerance: 60_000 })).not.toThrow();
  });

  it('refuses expired tokens and tokens not yet valid, each with the tolerance', async () => {
    expect(await reasonOf(await token(es256, claims({ exp: NOW_S - 5 })))).toBe('expired');
    expect(await reasonOf(await token(es256, claims({ exp: NOW_S - 4 })))).toBe('ok');
    expect(await reasonOf(await token(es256, claims({ nbf: NOW_S + 6 })))).toBe('not_yet_valid');
    expect(await reasonOf(await token(es256, claims({ nbf: NOW_S + 5 })))).toBe('ok');
  });

  it('refuses a wrong or an array iss, and an aud without ours', async () => {
    expect(await reasonOf(await token(es256, claims({ iss: 'https://evil.test' })))).toBe('issuer');
    expect(await reasonOf(await token(es256, claims({ iss: [ISSUER] })))).toBe('claims');
    expect(await reasonOf(await token(es256, claims({ aud: 'other-api' })))).toBe('audience');
    expect(await reasonOf(await token(es256, claims({ aud: ['other-api'] })))).toBe('audience');
  });

  it('refuses claim type confusion, with no coercion', async () => {
    const cases: Record<string, unknown>[] = [
      { exp: String(NOW_S + 900) },
      { iat: String(NOW_S) },
      { nbf: String(NOW_S) },
      { exp: null },
      { scope: ['notes:read'] },
      { scope: 1 },
      { aud: 1 },
      { aud: [AUDIENCE, 1] },
      { aud: [] },
      { aud: { [AUDIENCE]: true } },
      { sub: 42 },
      { sub: '' },
      { jti: 1 },
      { client_id: 1 },
      { sid: ['s'] },
      // Longer than a revocation store keeps: such a token could never be revoked.
      { jti: 'j'.repeat(257) },
      { sid: 's'.repeat(257) },
    ];
    for (const override of cases) {
      expect(await reasonOf(await token(es256, claims(override))), JSON.stringify(override)).toBe('claims');
    }
    // At the cap, still accepted.
    expect(await reasonOf(await token(es256, claims({ jti: 'j'.repeat(256), sid: 's'.repeat(256) })))).toBe('ok');
    // 1e400 parses as Infinity: not a NumericDate.
    const text = JSON.stringify(claims()).replace(`"exp":${NOW_S + 900}`, '"exp":1e400');
    const header = JSON.stringify({ alg: 'ES256', typ: 'at+jwt', kid: es256.kid });
    expect(await reasonOf(await signTexts(header, text, es256.signKey, 'ES256'))).toBe('claims');
  });
});

describe('accessTokenVerifier: size, encoding, JSON', () => {
  it('refuses a token over maxTokenBytes before decoding anything (8 KiB by default)', async () => {
    const keys = staticKeys(es256);
    // Nothing of this would decode; the answer is still the size, and no key is looked up.
    expect(await reasonOf('!'.repeat(8193), { keys })).toBe('too_large');
    const big = await token(es256, claims({ pad: 'x'.repeat(6200) }));
    expect(big.length).toBeGreaterThan(8192);
    expect(await reasonOf(big, { keys })).toBe('too_large');
    expect(keys.lookups).toEqual([]);
    expect(await reasonOf(big, { keys, maxTokenBytes: 16_384 })).toBe('ok');
  });

  it('refuses non-canonical base64url in any part: padding, + and /, whitespace, non-zero spare bits', async () => {
    const good = await token(es256);
    const [h, p, s] = good.split('.') as [string, string, string];
    const flipSpare = (part: string) => {
      const last = part[part.length - 1] as string;
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      return part.slice(0, -1) + alphabet[alphabet.indexOf(last) + 1];
    };
    expect(s.length % 4).toBe(2); // 64 bytes: 4 spare bits in the last character
    const variants = [
      `${h}=.${p}.${s}`,
      `${h}.${p}.${s}==`,
      `${h}.${p.replace(/-/g, '+').replace(/_/g, '/')}x.${s}`,
      `${h}.${p}.${s.replace(/[-_]/, (c) => (c === '-' ? '+' : '/'))}`,
      ` ${h}.${p}.${s}`,
      `${h}.${p}\n.${s}`,
      `${h}.${p}.${flipSpare(s)}`,
    ];
    for (const variant of variants) {
      if (variant === good) continue;
      expect(await reasonOf(variant), JSON.stringify(variant.slice(-8))).toMatch(/^(encoding|malformed)$/);
    }
    expect(await reasonOf(`${h}.${p}.${flipSpare(s)}`)).toBe('encoding');
    expect(await reasonOf(`${h}.${p}.${s}=`)).toBe('encoding');
  });

  it('refuses duplicate members in the header and in the payload, at any depth, escaped or not', async () => {
    const payload = JSON.stringify(claims());
    const header = JSON.stringify({ alg: 'ES256', typ: 'at+jwt', kid: es256.kid });
    const sign = (hText: string, pText: string) => signTexts(hText, pText, es256.signKey, 'ES256');
    expect(await reasonOf(await sign(header, payload))).toBe('ok');
    expect(await reasonOf(await sign(`{"alg":"none",${header.slice(1)}`, payload))).toBe('malformed');
    expect(await reasonOf(await sign(`{"\\u0061lg":"ES256",${header.slice(1)}`, payload))).toBe('malformed');
    expect(await reasonOf(await sign(header, `{"sub":"admin",${payload.slice(1)}`))).toBe('malformed');
    expect(await reasonOf(await sign(header, `{"ext":{"a":1,"a":2},${payload.slice(1)}`))).toBe('malformed');
  });

  it('refuses a header or a payload that starts with a UTF-8 byte order mark', async () => {
    const payload = JSON.stringify(claims());
    const header = JSON.stringify({ alg: 'ES256', typ: 'at+jwt', kid: es256.kid });
    const sign = (hText: string, pText: string) => signTexts(hText, pText, es256.signKey, 'ES256');
    expect(await reasonOf(await sign(`\uFEFF${header}`, payload))).toBe('malformed');
    expect(await reasonOf(await sign(header, `\uFEFF${payload}`))).toBe('malformed');
  });

  it('refuses parts that are not a JSON object, and not three parts', async () => {
    const header = JSON.stringify({ alg: 'ES256', typ: 'at+jwt', kid: es256.kid });
    for (const p of ['[]', '"x"', 'null', '{', '{"a":1}x']) {
      expect(await reasonOf(await signTexts(header, p, es256.signKey, 'ES256'))).toBe('malformed');
    }
    const good = await token(es256);
    expect(await reasonOf(good.split('.').slice(0, 2).join('.'))).toBe('malformed');
    expect(await reasonOf(`${good}.${good.split('.')[2]}`)).toBe('malformed');
    expect(await reasonOf(`.${good.split('.').slice(1).join('.')}`)).toBe('malformed');
    expect(await reasonOf(42 as never)).toBe('malformed');
  });

  it('refuses invalid UTF-8 in the payload', async () => {
    const header = b64(JSON.stringify({ alg: 'ES256', typ: 'at+jwt', kid: es256.kid }));
    const bad = base64url.encode(new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]));
    const input = `${header}.${bad}`;
    const signature = await crypto.subtle.sign(
      { name: 'ECDSA', hash: 'SHA-256' },
      es256.signKey,
      new TextEncoder().encode(input),
    );
    expect(await reasonOf(`${input}.${base64url.encode(new Uint8Array(signature))}`)).toBe('encoding');
  });
});

describe('accessTokenVerifier: signatures and keys', () => {
  it('refuses ECDSA signatures with r = 0 or s = 0 before jose, and a tampered signature or payload', async () => {
    const good = await token(es256);
    const [h, p, s] = good.split('.') as [string, string, string];
    const sig = base64url.decode(s);
    const zeroR = sig.slice();
    zeroR.fill(0, 0, 32);
    const zeroS = sig.slice();
    zeroS.fill(0, 32, 64);
    for (const bad of [zeroR, zeroS, new Uint8Array(64)]) {
      expect(await reasonOf(`${h}.${p}.${base64url.encode(bad)}`)).toBe('signature');
    }
    expect(await reasonOf(`${h}.${p}.${base64url.encode(sig.slice(0, 63))}`)).toBe('signature');
    const es384Token = (await token(es384)).split('.') as [string, string, string];
    const sig384 = base64url.decode(es384Token[2]);
    sig384.fill(0, 48);
    expect(await reasonOf(`${es384Token[0]}.${es384Token[1]}.${base64url.encode(sig384)}`)).toBe('signature');
    const tampered = `${h}.${b64(JSON.stringify(claims({ sub: 'admin' })))}.${s}`;
    expect(await reasonOf(tampered)).toBe('signature');
  });

  it('answers unknown_key for a kid the source does not know, store_unavailable when it fails', async () => {
    expect(await reasonOf(await token(es256, claims(), { kid: 'nobody' }))).toBe('unknown_key');
    const throwing = {
      key: () => {
        throw new Error('down');
      },
    };
    expect(await reasonOf(await token(es256), { keys: throwing })).toBe('store_unavailable');
    const rejecting = { key: () => Promise.reject(new Error('down')) };
    expect(await reasonOf(await token(es256), { keys: rejecting })).toBe('store_unavailable');
    const asyncKeys = { key: async (kid: string) => (kid === es256.kid ? es256.verification : undefined) };
    expect(await reasonOf(await token(es256), { keys: asyncKeys })).toBe('ok');
    // A source answering another kid's key is not trusted with this one.
    expect(await reasonOf(await token(es256), { keys: { key: () => es384.verification } })).toBe('unknown_key');
  });

  it('an HMAC secret shorter than its hash output is a ConfigError where the source hands it out', async () => {
    const events: SecurityEvent[] = [];
    const short = await hmacKey('short', 31);
    const raw: VerificationKey = { kid: 'raw', alg: 'HS256', key: new Uint8Array(16) };
    for (const key of [short.verification, raw]) {
      const v = verifier({ keys: staticKeys(key), algorithms: ['HS256'], onEvent: (e) => events.push(e) });
      const t = await hmacSignRaw(
        `${b64(JSON.stringify({ alg: 'HS256', typ: 'at+jwt', kid: key.kid }))}.${b64(JSON.stringify(claims()))}`,
        new Uint8Array(32),
      );
      await expect(v.verify(t)).rejects.toThrow(expect.objectContaining({ option: 'keys', code: 'config_invalid' }));
    }
    expect(events.map((e) => e.type)).toEqual(['config.warning', 'config.warning']);
    // 32 raw bytes are accepted (and verify).
    const secret = crypto.getRandomValues(new Uint8Array(32));
    const ok = await hmacSignRaw(
      `${b64(JSON.stringify({ alg: 'HS256', typ: 'at+jwt', kid: 'r32' }))}.${b64(JSON.stringify(claims()))}`,
      secret,
    );
    expect(
      await reasonOf(ok, { keys: staticKeys({ kid: 'r32', alg: 'HS256', key: secret }), algorithms: ['HS256'] }),
    ).toBe('ok');
  });
});

describe('accessTokenVerifier: revocation', () => {
  it('refuses a token whose jti or sid is revoked, and a failing store (sync and async)', async () => {
    for (const async of [false, true]) {
      const revocations = testRevocations({ async });
      const v = verifier({ revocations });
      const t = await token(es256);
      expect((await v.verify(t)).ok).toBe(true);
      await revocations.revoke({ kind: 'sid', id: 'session-1', until: T0 + 1000 });
      expect(await v.verify(t)).toEqual({ ok: false, reason: 'revoked' });
      const other = await token(es256, claims({ sid: 'session-2', jti: 'BBBBBBBBBBBBBBBBBBBBBB' }));
      expect((await v.verify(other)).ok).toBe(true);
      await revocations.revoke({ kind: 'jti', id: 'BBBBBBBBBBBBBBBBBBBBBB', until: T0 + 1000 });
      expect(await v.verify(other)).toEqual({ ok: false, reason: 'revoked' });
      revocations.failing = true;
      const third = await token(es256, claims({ sid: 'session-3', jti: 'CCCCCCCCCCCCCCCCCCCCCC' }));
      expect(await v.verify(third)).toEqual({ ok: false, reason: 'store_unavailable' });
    }
  });

  it('treats an answer other than false as no proof the token is live', async () => {
    const v = verifier({ revocations: { revoke: async () => {}, isRevoked: () => undefined as never } });
    expect(await v.verify(await token(es256))).toEqual({ ok: false, reason: 'store_unavailable' });
  });
});

describe('accessTokenVerifier: options', () => {
  it('refuses unknown options and malformed ones, naming them', () => {
    expect(() => verifier({ audiense: AUDIENCE } as never)).toThrow(/did you mean "audience"/);
    expect(() => verifier({ audience: [AUDIENCE] as never })).toThrow(expect.objectContaining({ option: 'audience' }));
    expect(() => verifier({ issuer: '' })).toThrow(expect.objectContaining({ option: 'issuer' }));
    expect(() => verifier({ keys: {} as never })).toThrow(expect.objectContaining({ option: 'keys' }));
    expect(() => verifier({ maxTokenBytes: 10 })).toThrow(expect.objectContaining({ option: 'maxTokenBytes' }));
    expect(() => verifier({ cache: { maxEntrys: 3 } as never })).toThrow(/cache\.maxEntrys/);
    expect(() => verifier({ cache: { maxEntries: 0 } })).toThrow(
      expect.objectContaining({ option: 'cache.maxEntries' }),
    );
    expect(() => verifier({ revocations: {} as never })).toThrow(expect.objectContaining({ option: 'revocations' }));
    expect(() => verifier({ clock: 3 as never })).toThrow(expect.objectContaining({ option: 'clock' }));
  });

  it('takes the clock as a function too', async () => {
    const t = await token(es256);
    expect(await reasonOf(t, { clock: () => T0 })).toBe('ok');
    expect(await reasonOf(t, { clock: () => T0 + 905_000 })).toBe('expired');
  });
});
