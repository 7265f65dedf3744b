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
import type { RequestHandler } from 'express';
import { type ExpressAdapterOptions, guard } from './index.js';

/** Options of {@link authenticate}: the policy's (`realm`, `optional`, `onEvent`, `clock`) and the guard's client IP. */
export type AuthenticateOptions = AuthenticationOptions & ExpressAdapterOptions;

/** Options of {@link requireScopes}: the policy's (`realm`, `onEvent`, `clock`) and the guard's client IP. */
export type RequireScopesOptions = ScopeOptions & ExpressAdapterOptions;

/**
 * Authenticates every request as one Express middleware: `guard(authenticationPolicy(...))`.
 * The first authenticator that claims the request's credential decides; the principal is
 * `req.auth` (read it strictly with `requireAuth(req)`) and `view.principal` for every
 * later guard (a per-principal rate limit). Refusals are RFC 6750's: 401
 * `unauthenticated`, 400 `invalid_request`, 401 `invalid_token` / `invalid_api_key`, each
 * with its `WWW-Authenticate: Bearer` challenge. Mount it after the header profile and CORS
 * (so refusals carry their headers and preflights pass), before the routes.
 *
 * @example
 * ```ts
 * import type { Authenticator } from '@bulwark/core';
 * declare const jwt: Authenticator; // jwtAuthenticator(accessTokenVerifier({ ... })) from @bulwark/tokens
 * app.use(authenticate(jwt, { realm: 'notes-api', trustProxy: { hops: 1 } }));
 * app.get('/v2/users/me', (req, res) => res.json({ id: requireAuth(req).subject }));
 * ```
 */
export function authenticate(
  authenticators: Authenticator | readonly Authenticator[],
  options: AuthenticateOptions = {},
): RequestHandler {
  const { policy, guard: clientIp } = splitGuardOptions(options, AUTHENTICATION_OPTION_KEYS);
  return guard(authenticationPolicy(authenticators, policy), clientIp);
}

/**
 * Requires scopes on a route, as a route middleware: `guard(scopePolicy(...))`. Without a
 * principal: 401 `unauthenticated`; without every scope: 403 `insufficient_scope` with
 * `scope="..."` in the challenge and `required_scope` in the problem. Give it the `realm`
 * of your `authenticate(...)`.
 *
 * @example
 * ```ts
 * app.post('/v2/notes', requireScopes('notes:write', { realm: 'notes-api' }), (req, res) => {
 *   res.status(201).json({ owner: requireAuth(req).subject });
 * });
 * ```
 */
export function requireScopes(scopes: string | readonly string[], options: RequireScopesOptions = {}): RequestHandler {
  const { policy, guard: clientIp } = splitGuardOptions(options, SCOPE_OPTION_KEYS);
  return guard(scopePolicy(scopes, policy), clientIp);
}
