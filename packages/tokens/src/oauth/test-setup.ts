// The authorization server the unit tests share (not exported): real access tokens on a
// memory keyring, a memory code store on a manual clock, the test RefreshTokens.
import { manualClock, type SecurityEvent } from '@bulwark/core';
import { accessTokens, accessTokenVerifier } from '../access/index.js';
import { keyring } from '../keyring/index.js';
import type { RefreshTokens } from '../refresh/types.js';
import { clientSecretHash } from './clients.js';
import { memoryAuthorizationCodeStore } from './memory-store.js';
import { createPkcePair } from './pkce.js';
import type { AuthorizationCodeStore } from './port.js';
import { authorizationServer } from './server.js';
import { fakeRefreshTokens } from './test-refresh.js';
import type { AuthorizationServerOptions, OAuthParams } from './types.js';

export const ISSUER = 'https://auth.example.com';
export const SPA_REDIRECT = 'http://localhost:5173/callback';
export const APP_REDIRECT = 'https://app.example.com/cb?tenant=a%20b&x';
export const SCOPES = ['notes:read', 'notes:write', 'admin'];
export const SECRET = 'job-secret-0123456789-abcdefghijklmnopqrstuvwxyz';
export const T0 = Date.UTC(2030, 0, 1);

export async function baseOptions(refreshTokens: RefreshTokens = fakeRefreshTokens()) {
  const keys = keyring({ algorithm: 'ES256' });
  const access = accessTokens({ keys, issuer: ISSUER, audience: 'notes-api' });
  const options = {
    issuer: ISSUER,
    authorizationEndpoint: `${ISSUER}/oauth/authorize`,
    tokenEndpoint: `${ISSUER}/oauth/token`,
    jwksUri: `${ISSUER}/.well-known/jwks.json`,
    scopes: SCOPES,
    clients: [
      { id: 'notes-spa', type: 'public', redirectUris: [SPA_REDIRECT], scopes: ['notes:read', 'notes:write'] },
      {
        id: 'reports-job',
        type: 'confidential',
        redirectUris: [APP_REDIRECT],
        scopes: ['notes:read', 'admin'],
        secretHash: await clientSecretHash(SECRET),
      },
      {
        id: 'no-refresh',
        type: 'public',
        redirectUris: ['https://norefresh.example.com/cb'],
        scopes: ['notes:read'],
        grantTypes: ['authorization_code'],
      },
      {
        id: 'refresh-only',
        type: 'public',
        redirectUris: ['https://refreshonly.example.com/cb'],
        scopes: ['notes:read'],
        grantTypes: ['refresh_token'],
      },
    ],
    accessTokens: access,
    refreshTokens,
  } satisfies AuthorizationServerOptions;
  const verifier = accessTokenVerifier({ keys, issuer: ISSUER, audience: 'notes-api', algorithms: ['ES256'] });
  return { options, verifier };
}

export async function setup(overrides: Partial<AuthorizationServerOptions> & { codes?: AuthorizationCodeStore } = {}) {
  const refresh = fakeRefreshTokens();
  const { options, verifier } = await baseOptions(refresh);
  const clock = manualClock(T0);
  const codes = memoryAuthorizationCodeStore({ clock });
  const events: SecurityEvent[] = [];
  const server = authorizationServer({
    ...options,
    codes,
    clock,
    onEvent: (e) => events.push(e),
    ...overrides,
  });
  return { server, refresh, codes, clock, events, verifier };
}

export type Setup = Awaited<ReturnType<typeof setup>>;

export const spaQuery = (
  challenge: string,
  extra: Record<string, string | string[] | undefined> = {},
): OAuthParams => ({
  response_type: 'code',
  client_id: 'notes-spa',
  redirect_uri: SPA_REDIRECT,
  state: 'st-1 /?&=#',
  scope: 'notes:read',
  code_challenge: challenge,
  code_challenge_method: 'S256',
  ...extra,
});

/** Runs the authorization step for notes-spa (or `query`) and answers the code and the verifier. */
export async function codeFor(
  { server }: Setup,
  query: (challenge: string) => OAuthParams = (c) => spaQuery(c),
  userScopes: readonly string[] = ['notes:read', 'notes:write'],
) {
  const pkce = await createPkcePair();
  const verdict = server.authorize(query(pkce.challenge));
  if (verdict.kind !== 'ok') throw new Error(`authorize: ${JSON.stringify(verdict)}`);
  const decision = await server.approve(verdict.request, 'user-42', userScopes);
  const location = new URL(decision.headers.find(([n]) => n === 'location')?.[1] as string);
  return { code: location.searchParams.get('code') as string, verifier: pkce.verifier, location, decision };
}

export const bodyOf = (decision: { body?: string }) => JSON.parse(decision.body ?? 'null') as Record<string, unknown>;
export const header = (decision: { headers: ReadonlyArray<readonly [string, string]> }, name: string) =>
  decision.headers.find(([n]) => n === name)?.[1];
export const basic = (id: string, secret: string) =>
  `Basic ${btoa(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`)}`;
