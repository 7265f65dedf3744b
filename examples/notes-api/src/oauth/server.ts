import type { EventSink } from '@bulwark/core';
import { postgresAuthorizationCodeStore } from '@bulwark/postgres';
import { redisAuthorizationCodeStore } from '@bulwark/redis';
import {
  type AuthorizationServer,
  authorizationServer,
  memoryAuthorizationCodeStore,
  type OAuthClientConfig,
} from '@bulwark/tokens';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import type { DemoTokens } from '../auth/tokens.js';
import { ROLES } from '../domain/users.js';

/** Every scope a demo user can hold (`scopes_supported`). */
export const DEMO_SCOPES: readonly string[] = ROLES.scopesFor([...ROLES.names]);

/**
 * The one registered OAuth client (DEMO.md): the first-party single-page app, public (no
 * secret: PKCE protects its codes), one redirect URI compared exactly, any scope a user holds.
 */
export const SPA_CLIENT: OAuthClientConfig = Object.freeze({
  id: 'notes-spa',
  type: 'public',
  redirectUris: Object.freeze(['http://localhost:5173/callback']),
  scopes: DEMO_SCOPES,
});

export const OAUTH_CLIENTS: readonly OAuthClientConfig[] = [SPA_CLIENT];

/** The origins a sign-in form post may be redirected to: those of the clients' redirect URIs. */
export const REDIRECT_ORIGINS: readonly string[] = [
  ...new Set(OAUTH_CLIENTS.flatMap((client) => client.redirectUris.map((uri) => new URL(uri).origin))),
];

/**
 * The demo's authorization server: ISSUER as the issuer identifier and the base of its
 * endpoints, the demo's access tokens and refresh families (a code's session is a family
 * like a login's), and its codes in PostgreSQL (DATABASE_URL) or Redis (REDIS_URL) when set,
 * so that a code made by one process is redeemed, once, by any.
 */
export function demoAuthorizationServer(
  issuer: string,
  tokens: DemoTokens,
  redis: Redis | undefined,
  onEvent: EventSink | undefined,
  database?: pg.Pool,
): AuthorizationServer {
  const base = issuer.replace(/\/+$/, '');
  return authorizationServer({
    issuer,
    authorizationEndpoint: `${base}/oauth/authorize`,
    tokenEndpoint: `${base}/oauth/token`,
    jwksUri: `${base}/.well-known/jwks.json`,
    clients: OAUTH_CLIENTS,
    scopes: DEMO_SCOPES,
    codes: database
      ? postgresAuthorizationCodeStore({ pool: database })
      : redis
        ? redisAuthorizationCodeStore({ client: redis })
        : memoryAuthorizationCodeStore(),
    accessTokens: tokens.issuer,
    refreshTokens: tokens.refresh,
    ...(onEvent ? { onEvent } : {}),
  });
}
