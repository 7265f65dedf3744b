// The authorization server with the real refreshTokens(...) (memory families), real access
// tokens and a revocation store: what a code reuse and a refresh reuse revoke, end to end.
import { manualClock, type SecurityEvent } from '@bulwark/core';
import { describe, expect, it } from 'vitest';
import { accessTokens, accessTokenVerifier } from '../access/index.js';
import { keyring } from '../keyring/index.js';
import { memoryRefreshTokenStore, refreshTokens } from '../refresh/index.js';
import { memoryRevocationStore } from '../revocation/index.js';
import { memoryAuthorizationCodeStore } from './memory-store.js';
import { createPkcePair } from './pkce.js';
import { authorizationServer } from './server.js';
import { bodyOf } from './test-setup.js';

const ISSUER = 'http://127.0.0.1:3000';
const REDIRECT = 'http://localhost:5173/callback';
const USER_SCOPES = ['notes:read', 'notes:write'];

function world() {
  const keys = keyring({ algorithm: 'ES256' });
  const revocations = memoryRevocationStore();
  const events: SecurityEvent[] = [];
  const onEvent = (e: SecurityEvent) => events.push(e);
  const sessions = refreshTokens({
    store: memoryRefreshTokenStore(),
    grace: '10s',
    revocations: { store: revocations, accessTokenTtl: '15m', clockTolerance: '5s' },
    onEvent,
  });
  const server = authorizationServer({
    issuer: ISSUER,
    authorizationEndpoint: `${ISSUER}/oauth/authorize`,
    tokenEndpoint: `${ISSUER}/oauth/token`,
    jwksUri: `${ISSUER}/.well-known/jwks.json`,
    scopes: USER_SCOPES,
    clients: [{ id: 'notes-spa', type: 'public', redirectUris: [REDIRECT], scopes: USER_SCOPES }],
    accessTokens: accessTokens({ keys, issuer: ISSUER, audience: 'notes-api' }),
    refreshTokens: sessions,
    codes: memoryAuthorizationCodeStore({ clock: manualClock(Date.now()) }),
    onEvent,
  });
  const verifier = accessTokenVerifier({
    keys,
    issuer: ISSUER,
    audience: 'notes-api',
    algorithms: ['ES256'],
    revocations,
  });
  const signIn = async () => {
    const pkce = await createPkcePair();
    const verdict = server.authorize({
      response_type: 'code',
      client_id: 'notes-spa',
      redirect_uri: REDIRECT,
      state: 's',
      code_challenge: pkce.challenge,
      code_challenge_method: 'S256',
    });
    if (verdict.kind !== 'ok') throw new Error('authorize refused');
    const decision = await server.approve(verdict.request, 'user-7', USER_SCOPES);
    const location = new URL(decision.headers[0]?.[1] as string);
    return { code: location.searchParams.get('code') as string, verifier: pkce.verifier };
  };
  const exchange = (code: string, codeVerifier: string) =>
    server.token(
      {
        grant_type: 'authorization_code',
        client_id: 'notes-spa',
        code,
        redirect_uri: REDIRECT,
        code_verifier: codeVerifier,
      },
      undefined,
    );
  const refresh = (token: string) =>
    server.token({ grant_type: 'refresh_token', client_id: 'notes-spa', refresh_token: token }, undefined);
  const verify = async (token: string) => {
    const outcome = await verifier.verify(token);
    return outcome.ok ? outcome.claims : outcome.reason;
  };
  return { server, events, signIn, exchange, refresh, verify };
}

describe('authorizationServer with refreshTokens(...)', () => {
  it('code -> tokens of one session -> rotation (and a grace retry gets the same child)', async () => {
    const w = world();
    const { code, verifier } = await w.signIn();
    const first = bodyOf(await w.exchange(code, verifier));
    const claims = await w.verify(first.access_token as string);
    if (typeof claims === 'string') throw new Error(claims);
    expect(claims).toMatchObject({ sub: 'user-7', client_id: 'notes-spa', scope: 'notes:read notes:write' });
    expect((first.refresh_token as string).startsWith('bwrt_')).toBe(true);

    const rotated = bodyOf(await w.refresh(first.refresh_token as string));
    expect(rotated.refresh_token).not.toBe(first.refresh_token);
    const after = await w.verify(rotated.access_token as string);
    expect(typeof after !== 'string' && after.sid).toBe(claims.sid);
    // The client lost the answer and retries within the grace window: the same child.
    const retry = bodyOf(await w.refresh(first.refresh_token as string));
    expect(retry.refresh_token).toBe(rotated.refresh_token);
  });

  it('a code used twice revokes the session: its refresh token and its access tokens', async () => {
    const w = world();
    const { code, verifier } = await w.signIn();
    const first = bodyOf(await w.exchange(code, verifier));
    expect(typeof (await w.verify(first.access_token as string))).toBe('object');
    const replay = await w.exchange(code, verifier);
    expect(bodyOf(replay).error).toBe('invalid_grant');
    expect(await w.verify(first.access_token as string)).toBe('revoked');
    expect(bodyOf(await w.refresh(first.refresh_token as string)).error).toBe('invalid_grant');
    expect(w.events.filter((e) => e.type === 'token.reuse_detected')).toMatchObject([
      { credential: 'authorization_code' },
    ]);
  });

  it('concurrent exchanges of one code: at most one answer has tokens, and none of them works afterwards', async () => {
    const w = world();
    const { code, verifier } = await w.signIn();
    const answers = (await Promise.all(Array.from({ length: 6 }, () => w.exchange(code, verifier)))).map(bodyOf);
    const granted = answers.filter((a) => a.access_token !== undefined);
    expect(granted.length).toBeLessThanOrEqual(1);
    for (const a of granted) {
      expect(await w.verify(a.access_token as string)).toBe('revoked');
      expect(bodyOf(await w.refresh(a.refresh_token as string)).error).toBe('invalid_grant');
    }
  });

  it('a spent refresh token outside the grace window revokes the family', async () => {
    const w = world();
    const { code, verifier } = await w.signIn();
    const first = bodyOf(await w.exchange(code, verifier));
    const second = bodyOf(await w.refresh(first.refresh_token as string));
    const third = bodyOf(await w.refresh(second.refresh_token as string));
    // The grandparent: never a grace retry.
    expect(bodyOf(await w.refresh(first.refresh_token as string)).error).toBe('invalid_grant');
    expect(bodyOf(await w.refresh(third.refresh_token as string)).error).toBe('invalid_grant');
    expect(await w.verify(third.access_token as string)).toBe('revoked');
  });
});
