import { authenticationPolicy, manualClock, requestView, type SecurityEvent } from '@bulwark/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { jwtAuthenticator, looksLikeJws } from './authenticator.js';
import { AUDIENCE, asymmetricKey, claims, ISSUER, staticKeys, T0, type TestKey, token } from './test-kit.js';
import { accessTokenVerifier } from './verifier.js';

let es256: TestKey;
beforeAll(async () => {
  es256 = await asymmetricKey('es256-key', 'ES256');
});

const view = (authorization: string) =>
  requestView({ method: 'GET', path: '/v2/notes', headers: { authorization }, clientIp: '203.0.113.7' });

describe('jwtAuthenticator', () => {
  it('claims only bearer credentials shaped like a JWS compact serialisation', () => {
    expect(looksLikeJws('a.b.c')).toBe(true);
    expect(looksLikeJws('a.b.')).toBe(true);
    for (const other of ['bk_live_abc', 'a.b', 'a.b.c.d', '.b.c', 'a..c', '']) expect(looksLikeJws(other)).toBe(false);
    const auth = jwtAuthenticator(
      accessTokenVerifier({ keys: staticKeys(), issuer: ISSUER, audience: AUDIENCE, algorithms: ['ES256'] }),
    );
    expect(auth.name).toBe('jwt');
    expect(auth.claim({ bearer: 'bk_live_abc', view: view('Bearer bk_live_abc') })).toBeUndefined();
    expect(auth.claim({ bearer: undefined, view: view('Basic x') })).toBeUndefined();
    expect(auth.claim({ bearer: 'a.b.c', view: view('Bearer a.b.c') })).toBe('a.b.c');
    expect(() => jwtAuthenticator({} as never)).toThrow(expect.objectContaining({ option: 'verifier' }));
  });

  it('through authenticationPolicy: a valid token is the principal (sync on a hit), a bad one 401 with its reason', async () => {
    const events: SecurityEvent[] = [];
    const verifier = accessTokenVerifier({
      keys: staticKeys(es256),
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ['ES256'],
      clock: () => T0,
    });
    const policy = authenticationPolicy([jwtAuthenticator(verifier)], {
      realm: 'notes-api',
      onEvent: (e) => events.push(e),
      clock: manualClock(T0),
    });
    const t = await token(es256);
    const jwt = jwtAuthenticator(verifier);
    expect(jwt.verifiedBefore?.(t)).toBe(false);
    const first = await policy.evaluate(view(`Bearer ${t}`));
    expect(first.kind).toBe('allow');
    // The verifier's memory, through the authenticator: the policy's hint to skip its scan.
    expect(jwt.verifiedBefore?.(t)).toBe(true);
    expect(jwtAuthenticator({ verify: verifier.verify }).verifiedBefore).toBeUndefined();
    const hit = policy.evaluate(view(`Bearer ${t}`));
    expect(hit).not.toBeInstanceOf(Promise);
    expect((hit as { principal?: { subject: string } }).principal?.subject).toBe('user-42');
    const expired = await token(es256, claims({ exp: T0 / 1000 - 60 }));
    const denied = await policy.evaluate(view(`Bearer ${expired}`));
    expect(denied.kind).toBe('deny');
    expect(events).toEqual([
      expect.objectContaining({ type: 'auth.failed', authenticator: 'jwt', code: 'invalid_token', reason: 'expired' }),
    ]);
  });
});
