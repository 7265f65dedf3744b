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
import type { Middleware } from 'koa';
import { guard, type KoaAdapterOptions } from './index.js';

/** Options of {@link authenticate}: the policy's (`realm`, `optional`, `onEvent`, `clock`) and the guard's client IP. */
export type AuthenticateOptions = AuthenticationOptions & KoaAdapterOptions;

/** Options of {@link requireScopes}: the policy's (`realm`, `onEvent`, `clock`) and the guard's client IP. */
export type RequireScopesOptions = ScopeOptions & KoaAdapterOptions;

/**
 * Authenticates every request as one Koa middleware: `guard(authenticationPolicy(...))`.
 * The first authenticator that claims the request's credential decides; the principal is
 * `ctx.state.auth` (read it strictly with `requireAuth(ctx)`) and `view.principal` for
 * every later guard (a per-principal rate limit). Refusals are RFC 6750's: 401
 * `unauthenticated`, 400 `invalid_request`, 401 `invalid_token` / `invalid_api_key`, each
 * with its `WWW-Authenticate: Bearer` challenge. Mount it after `problemHandlers()`, the
 * header profile and CORS, before the router.
 *
 * @example
 * ```ts
 * import type { Authenticator } from '@bulwark/core';
 * declare const jwt: Authenticator; // jwtAuthenticator(accessTokenVerifier({ ... })) from @bulwark/tokens
 * app.use(authenticate(jwt, { realm: 'notes-api', trustProxy: { hops: 1 } }));
 * router.get('/v2/users/me', (ctx) => {
 *   ctx.body = { id: requireAuth(ctx).subject };
 * });
 * ```
 */
export function authenticate(
  authenticators: Authenticator | readonly Authenticator[],
  options: AuthenticateOptions = {},
): Middleware {
  const { policy, guard: clientIp } = splitGuardOptions(options, AUTHENTICATION_OPTION_KEYS);
  return guard(authenticationPolicy(authenticators, policy), clientIp);
}

/**
 * Requires scopes on a route, as a router middleware: `guard(scopePolicy(...))`. Without a
 * principal: 401 `unauthenticated`; without every scope: 403 `insufficient_scope` with
 * `scope="..."` in the challenge and `required_scope` in the problem. Give it the `realm`
 * of your `authenticate(...)`.
 *
 * @example
 * ```ts
 * router.post('/v2/notes', requireScopes('notes:write', { realm: 'notes-api' }), (ctx) => {
 *   ctx.status = 201;
 *   ctx.body = { owner: requireAuth(ctx).subject };
 * });
 * ```
 */
export function requireScopes(scopes: string | readonly string[], options: RequireScopesOptions = {}): Middleware {
  const { policy, guard: clientIp } = splitGuardOptions(options, SCOPE_OPTION_KEYS);
  return guard(scopePolicy(scopes, policy), clientIp);
}
