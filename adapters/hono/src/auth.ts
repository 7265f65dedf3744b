import {
  AUTHENTICATION_OPTION_KEYS,
  type AuthenticationOptions,
  type Authenticator,
  authenticationPolicy,
  SCOPE_OPTION_KEYS,
  type ScopeOptions,
  scopePolicy,
  splitGuardOptions,
} from '@bulwark/core';
import type { MiddlewareHandler } from 'hono';
import { type BulwarkEnv, guard, type HonoAdapterOptions } from './index.js';

/** Options of {@link authenticate}: the policy's (`realm`, `optional`, `onEvent`, `clock`) and the guard's (client IP, `getPeerAddress`). */
export type AuthenticateOptions = AuthenticationOptions & HonoAdapterOptions;

/** Options of {@link requireScopes}: the policy's (`realm`, `onEvent`, `clock`) and the guard's. */
export type RequireScopesOptions = ScopeOptions & HonoAdapterOptions;

const HONO_KEYS = ['getPeerAddress'];

/**
 * Authenticates every request as one Hono middleware: `guard(authenticationPolicy(...))`.
 * The first authenticator that claims the request's credential decides; the principal is
 * `c.var.auth` (read it strictly with `requireAuth(c)`) and `view.principal` for every
 * later guard (a per-principal rate limit). Refusals are RFC 6750's: 401
 * `unauthenticated`, 400 `invalid_request`, 401 `invalid_token` / `invalid_api_key`, each
 * with its `WWW-Authenticate: Bearer` challenge. Mount it after the header profile and
 * CORS, before the routes (`app.use('/v2/*', authenticate(...))` for a part of the app).
 *
 * @example
 * ```ts
 * import type { Authenticator } from '@bulwark/core';
 * declare const jwt: Authenticator; // jwtAuthenticator(accessTokenVerifier({ ... })) from @bulwark/tokens
 * app.use('*', authenticate(jwt, { realm: 'notes-api', trustProxy: { hops: 1 } }));
 * app.get('/v2/users/me', (c) => c.json({ id: requireAuth(c).subject }));
 * ```
 */
export function authenticate(
  authenticators: Authenticator | readonly Authenticator[],
  options: AuthenticateOptions = {},
): MiddlewareHandler<BulwarkEnv> {
  const { policy, guard: adapter } = splitGuardOptions(options, AUTHENTICATION_OPTION_KEYS, HONO_KEYS);
  return guard(authenticationPolicy(authenticators, policy), adapter);
}

/**
 * Requires scopes on a route, as a route middleware: `guard(scopePolicy(...))`. Without a
 * principal: 401 `unauthenticated`; without every scope: 403 `insufficient_scope` with
 * `scope="..."` in the challenge and `required_scope` in the problem. Give it the `realm`
 * of your `authenticate(...)`.
 *
 * @example
 * ```ts
 * app.post('/v2/notes', requireScopes('notes:write', { realm: 'notes-api' }), (c) =>
 *   c.json({ owner: requireAuth(c).subject }, 201),
 * );
 * ```
 */
export function requireScopes(
  scopes: string | readonly string[],
  options: RequireScopesOptions = {},
): MiddlewareHandler<BulwarkEnv> {
  const { policy, guard: adapter } = splitGuardOptions(options, SCOPE_OPTION_KEYS, HONO_KEYS);
  return guard(scopePolicy(scopes, policy), adapter);
}
