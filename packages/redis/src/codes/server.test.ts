// The authorization server on a shared Redis code store: a code made by one server
// instance is redeemed through another, once (the code store is what is shared; the sessions
// live in one memory refresh store here).
import { describeWithService, portOpen } from '@bulwark/testkit';
import {
  accessTokens,
  authorizationServer,
  createPkcePair,
  keyring,
  memoryRefreshTokenStore,
  memoryRevocationStore,
  refreshTokens,
} from '@bulwark/tokens';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { redisAuthorizationCodeStore } from './store.js';

const redisUp = await portOpen('127.0.0.1', 6379);
const ISSUER = 'https://auth.example.com';
const REDIRECT = 'https://app.example.com/cb';

describeWithService('Redis on 127.0.0.1:6379', redisUp, 'authorizationServer on redisAuthorizationCodeStore', () => {
  let client: Redis;
  beforeAll(() => {
    client = new Redis({ host: '127.0.0.1', port: 6379 });
  });
  afterAll(async () => {
    await client.quit();
  });

  function instances(keyPrefix: string) {
    const keys = keyring({ algorithm: 'ES256' });
    const sessions = refreshTokens({
      store: memoryRefreshTokenStore(),
      revocations: { store: memoryRevocationStore(), accessTokenTtl: '15m' },
    });
    const make = () =>
      authorizationServer({
        issuer: ISSUER,
        authorizationEndpoint: `${ISSUER}/authorize`,
        tokenEndpoint: `${ISSUER}/token`,
        jwksUri: `${ISSUER}/jwks`,
        scopes: ['notes:read'],
        clients: [{ id: 'spa', type: 'public', redirectUris: [REDIRECT], scopes: ['notes:read'] }],
        accessTokens: accessTokens({ keys, issuer: ISSUER, audience: 'api' }),
        refreshTokens: sessions,
        codes: redisAuthorizationCodeStore({ client, keyPrefix }),
      });
    return [make(), make()] as const;
  }

  async function approvedCode(a: ReturnType<typeof instances>[0]) {
    const pkce = await createPkcePair();
    const verdict = a.authorize({
      response_type: 'code',
      client_id: 'spa',
      redirect_uri: REDIRECT,
      code_challenge: pkce.challenge,
      code_challenge_method: 'S256',
    });
    if (verdict.kind !== 'ok') throw new Error('authorize refused');
    const approved = await a.approve(verdict.request, 'user-1', ['notes:read']);
    const code = new URL(approved.headers[0]?.[1] as string).searchParams.get('code') as string;
    return {
      grant_type: 'authorization_code',
      client_id: 'spa',
      code,
      redirect_uri: REDIRECT,
      code_verifier: pkce.verifier,
    };
  }

  it('a code approved by one instance is exchanged through the other; a replay through the first ends the session', async () => {
    const [a, b] = instances(`bulwark:test-code-server:${process.pid}-${Date.now()}`);
    const form = await approvedCode(a);
    const first = await b.token(form, undefined);
    expect(first.status).toBe(200);
    const replay = await a.token(form, undefined);
    expect(JSON.parse(replay.body as string).error).toBe('invalid_grant');
    const refresh = JSON.parse(first.body as string).refresh_token as string;
    const after = await b.token({ grant_type: 'refresh_token', client_id: 'spa', refresh_token: refresh }, undefined);
    expect(JSON.parse(after.body as string).error).toBe('invalid_grant');
  });

  it('concurrent exchanges of one code through both instances: at most one gets tokens, and they do not work', async () => {
    const [a, b] = instances(`bulwark:test-code-server:${process.pid}-${Date.now()}`);
    const form = await approvedCode(a);
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? a : b).token(form, undefined)),
    );
    const statuses = answers.map((d) => d.status);
    expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(1);
    expect(statuses.filter((s) => s === 400)).toHaveLength(statuses.length - statuses.filter((s) => s === 200).length);
    for (const answer of answers)
      expect(JSON.parse(answer.body as string).error ?? 'granted').toMatch(/^(invalid_grant|granted)$/);
    // Whoever got tokens (if anyone) holds a revoked session: its refresh token is refused.
    const granted = answers.find((d) => d.status === 200);
    if (granted !== undefined) {
      const refresh = JSON.parse(granted.body as string).refresh_token as string;
      const again = await b.token({ grant_type: 'refresh_token', client_id: 'spa', refresh_token: refresh }, undefined);
      expect(JSON.parse(again.body as string).error).toBe('invalid_grant');
    }
  });
});
