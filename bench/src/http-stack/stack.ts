import { type Authenticator, authenticationPolicy, type RequestPolicy, scopePolicy } from '@bulwark/core';
import { rateLimitPolicy } from '@bulwark/ratelimit';
import { accessTokens, accessTokenVerifier, jwtAuthenticator, keyring } from '@bulwark/tokens';
import { base64url } from 'jose';
import { bulwarkPolicies, FLOOR_HEADERS, NEVER_REACHED, WINDOW_MS } from '../http/scenario.js';

/**
 * The whole stack of issue #15's `http.stack.*` benchmark, on top of the HTTP pipeline
 * bench's (security headers, the per-IP limit, CORS): JWT authentication (HS256 through a
 * keyring, the verified-token cache on), a per-principal limit and a scope check. The same
 * work for every framework and variant; only who does it changes.
 */

export const ISSUER = 'https://auth.bench.test';
export const AUDIENCE = 'notes-api';
export const SCOPE = 'notes:read';
export const REALM = 'notes-api';
export const KID = 'bench-hs256';

/** What the parent hands every server process (the same secret and tokens for all twelve). */
export interface StackSecrets {
  /**
   * The HS256 secret as text (43 characters: 32 random bytes in base64url), shared by
   * Bulwark's keyring and the anchors' JWT libraries, which take a string secret as its
   * UTF-8 bytes (Hono's `jwt` takes text only).
   */
  readonly secret: string;
  /** A token with the route's scope: every measured request carries it. */
  readonly token: string;
  /** A token without it: the answer check expects 403 for it. */
  readonly tokenWithoutScope: string;
}

const ENV = { secret: 'BENCH_STACK_SECRET', token: 'BENCH_STACK_TOKEN', bare: 'BENCH_STACK_TOKEN_NO_SCOPE' } as const;

/** The oct JWK of the secret, as `keyring({ initialKeys })` takes it. */
export const secretJwk = (secret: string) => ({
  kty: 'oct',
  k: base64url.encode(new TextEncoder().encode(secret)),
  kid: KID,
  alg: 'HS256',
});

/** A fresh secret and two tokens from Bulwark's own issuer: one with the route's scope, one without. */
export async function stackSecrets(): Promise<StackSecrets> {
  const secret = base64url.encode(globalThis.crypto.getRandomValues(new Uint8Array(32)));
  const keys = keyring({ initialKeys: { keys: [secretJwk(secret)] } });
  const issuer = accessTokens({ keys, issuer: ISSUER, audience: AUDIENCE, ttl: '60m' });
  const issue = (scopes: string[]) => issuer.issue({ subject: 'bench-user', scopes, clientId: 'notes-api' });
  const [token, tokenWithoutScope] = await Promise.all([issue([SCOPE, 'notes:write']), issue(['notes:write'])]);
  return { secret, token: token.token, tokenWithoutScope: tokenWithoutScope.token };
}

/** In the parent: puts the secrets in the environment the server processes inherit. */
export function exportSecrets(secrets: StackSecrets): void {
  process.env[ENV.secret] = secrets.secret;
  process.env[ENV.token] = secrets.token;
  process.env[ENV.bare] = secrets.tokenWithoutScope;
}

/** In a server process: the secrets its parent exported. */
export function importSecrets(): StackSecrets {
  const secret = process.env[ENV.secret];
  const token = process.env[ENV.token];
  const tokenWithoutScope = process.env[ENV.bare];
  if (!secret || !token || !tokenWithoutScope) throw new Error('http-stack: no secrets in the environment');
  return { secret, token, tokenWithoutScope };
}

/**
 * What the stack's `floor` variant sets: Bulwark's answer fields on this route as fixed
 * values (the pipeline's twelve, the RateLimit fields with the per-principal limit's item
 * appended), on the bare route with no authentication: what the fields alone cost.
 */
export const STACK_FLOOR_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  ...FLOOR_HEADERS,
  ratelimit: '"ip";r=999999;t=1, "principal";r=999999;t=1',
  'ratelimit-policy': '"ip";q=1000000;w=1, "principal";q=1000000;w=1',
});

/** The per-principal limit, keyed by the authenticated subject, never reached. */
export function principalLimit(): RequestPolicy {
  return rateLimitPolicy({
    name: 'principal',
    limits: [{ name: 'principal', key: 'principal', limit: NEVER_REACHED, window: WINDOW_MS }],
  });
}

/** Bulwark's authenticator: `accessTokenVerifier` on an HS256 keyring, defaults otherwise (cache on). */
export function bulwarkAuthenticator(secrets: StackSecrets): Authenticator {
  const keys = keyring({ initialKeys: { keys: [secretJwk(secrets.secret)] } });
  return jwtAuthenticator(accessTokenVerifier({ keys, issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'] }));
}

/**
 * Bulwark's stack as one policy list (`guard([...])`, BENCH_GUARD=list): the pipeline
 * bench's three, authentication, the per-principal limit and the scope check.
 */
export function bulwarkStackList(secrets: StackSecrets): RequestPolicy[] {
  return [
    ...bulwarkPolicies(),
    authenticationPolicy(bulwarkAuthenticator(secrets), { realm: REALM }),
    principalLimit(),
    scopePolicy(SCOPE, { realm: REALM }),
  ];
}

/** Whether a verified payload grants the route's scope (the anchors' scope check, as users write it). */
export function grantsScope(payload: unknown): boolean {
  const scope = (payload as { scope?: unknown } | undefined)?.scope;
  return typeof scope === 'string' && scope.split(' ').includes(SCOPE);
}

/** The anchors' answer to a missing scope: a JSON 403, as their READMEs show. */
export const FORBIDDEN = { error: 'insufficient_scope' };
