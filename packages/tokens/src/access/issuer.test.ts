import { ConfigError, manualClock } from '@bulwark/core';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import { keyring } from '../keyring/index.js';
import { accessTokens } from './issuer.js';
import { AUDIENCE, hmacKey, ISSUER, T0 } from './test-kit.js';
import { accessTokenVerifier } from './verifier.js';

describe('accessTokens', () => {
  it('issues RFC 9068 tokens that the verifier accepts, with the keyring active key', async () => {
    const clock = manualClock(T0);
    const keys = keyring({ algorithm: 'ES256', clock });
    const issuer = accessTokens({ keys, issuer: ISSUER, audience: AUDIENCE, clock });
    const issued = await issuer.issue({
      subject: 'user-42',
      scopes: ['notes:read', 'notes:write'],
      clientId: 'notes-api',
    });
    const header = decodeProtectedHeader(issued.token);
    expect(header).toEqual({ alg: 'ES256', kid: (await keys.signingKey()).kid, typ: 'at+jwt' });
    const payload = decodeJwt(issued.token);
    expect(payload).toEqual({
      iss: ISSUER,
      sub: 'user-42',
      aud: AUDIENCE,
      iat: T0 / 1000,
      exp: T0 / 1000 + 900,
      jti: issued.jti,
      sid: issued.sid,
      client_id: 'notes-api',
      scope: 'notes:read notes:write',
    });
    expect(issued.jti).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(issued.sid).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(issued.expiresAt).toBe(T0 + 900_000);
    expect(issued.expiresIn).toBe(900);
    const verifier = accessTokenVerifier({ keys, issuer: ISSUER, audience: AUDIENCE, algorithms: ['ES256'], clock });
    const outcome = await verifier.verify(issued.token);
    expect(outcome.ok && outcome.principal.scopes).toEqual(['notes:read', 'notes:write']);
  });

  it('keeps a given session id, random jti per token, extra claims but never a registered one', async () => {
    const keys = keyring({ algorithm: 'EdDSA' });
    const issuer = accessTokens({ keys, issuer: ISSUER, audience: [AUDIENCE, 'admin-api'] });
    const a = await issuer.issue({
      subject: 's',
      scopes: [],
      clientId: 'c',
      sessionId: 'sess-1',
      claims: { tenant: 't1' },
    });
    const b = await issuer.issue({ subject: 's', scopes: [], clientId: 'c', sessionId: 'sess-1' });
    expect(a.sid).toBe('sess-1');
    expect(a.jti).not.toBe(b.jti);
    expect(decodeJwt(a.token)).toMatchObject({ tenant: 't1', aud: [AUDIENCE, 'admin-api'] });
    for (const name of ['iss', 'exp', 'scope', 'sub', 'jti']) {
      await expect(issuer.issue({ subject: 's', scopes: [], clientId: 'c', claims: { [name]: 'x' } })).rejects.toThrow(
        expect.objectContaining({ code: 'invalid_argument' }),
      );
    }
    await expect(issuer.issue({ subject: 's', scopes: ['a b'], clientId: 'c' })).rejects.toThrow(/scope tokens/);
    await expect(issuer.issue({ subject: '', scopes: [], clientId: 'c' })).rejects.toThrow(/subject/);
  });

  it('ttl: default 15m; over 60m is a ConfigError unless allowLongTtl', async () => {
    const keys = keyring({ algorithm: 'ES256' });
    const base = { keys, issuer: ISSUER, audience: AUDIENCE };
    expect(() => accessTokens({ ...base, ttl: '61m' })).toThrow(expect.objectContaining({ option: 'ttl' }));
    expect(() => accessTokens({ ...base, ttl: '60m' })).not.toThrow();
    expect(() => accessTokens({ ...base, ttl: '2h', allowLongTtl: true })).not.toThrow();
    expect(() => accessTokens({ ...base, ttl: 1500 })).toThrow(expect.objectContaining({ option: 'ttl' }));
    expect(() => accessTokens({ ...base, tll: '5m' } as never)).toThrow(/did you mean "ttl"/);
    expect(() => accessTokens({ ...base, audience: [] })).toThrow(ConfigError);
    const long = accessTokens({ ...base, ttl: '2h', allowLongTtl: true });
    expect((await long.issue({ subject: 's', scopes: [], clientId: 'c' })).expiresIn).toBe(7200);
  });

  it('a short HMAC signing secret is a ConfigError', async () => {
    const short = await hmacKey('short', 16);
    const issuer = accessTokens({ keys: { signingKey: () => short.verification }, issuer: ISSUER, audience: AUDIENCE });
    await expect(issuer.issue({ subject: 's', scopes: [], clientId: 'c' })).rejects.toThrow(
      expect.objectContaining({ option: 'keys', code: 'config_invalid' }),
    );
    const good = await hmacKey('good', 32);
    const ok = accessTokens({ keys: { signingKey: () => good.verification }, issuer: ISSUER, audience: AUDIENCE });
    expect(decodeProtectedHeader((await ok.issue({ subject: 's', scopes: [], clientId: 'c' })).token).alg).toBe(
      'HS256',
    );
  });
});
