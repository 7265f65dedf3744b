import {
  AUTHENTICATION_OPTION_KEYS,
  type AuthenticationOptions,
  type Authenticator,
  authenticationPolicy,
  guardResolver,
  policyList,
  SCOPE_OPTION_KEYS,
  type ScopeOptions,
  scopePolicy,
  splitGuardOptions,
} from '@bulwark/core';
import type { FastifyPluginCallback, onRequestHookHandler } from 'fastify';
import { policyHook } from './hook.js';
import { type FastifyAdapterOptions, guard } from './index.js';

/** Options of {@link authenticate}: the policy's (`realm`, `optional`, `onEvent`, `clock`) and the guard's client IP. */
export type AuthenticateOptions = AuthenticationOptions & FastifyAdapterOptions;

/** Options of {@link requireScopes}: the policy's (`realm`, `onEvent`, `clock`) and the guard's client IP. */
export type RequireScopesOptions = ScopeOptions & FastifyAdapterOptions;

/**
 * Authenticates every request, as a Fastify plugin for `app.register`:
 * `guard(authenticationPolicy(...))`, an `onRequest` hook on the whole app. The first
 * authenticator that claims the request's credential decides; the principal is
 * `request.auth` (read it strictly with `requireAuth(request)`) and `view.principal` for
 * every later guard and route hook (a per-principal rate limit, `requireScopes`). Refusals
 * are RFC 6750's: 401 `unauthenticated`, 400 `invalid_request`, 401 `invalid_token` /
 * `invalid_api_key`, each with its `WWW-Authenticate: Bearer` challenge. Register it after
 * the header profile and CORS guard.
 *
 * @example
 * ```ts
 * import type { Authenticator } from '@bulwark/core';
 * declare const jwt: Authenticator; // jwtAuthenticator(accessTokenVerifier({ ... })) from @bulwark/tokens
 * await app.register(authenticate(jwt, { realm: 'notes-api', trustProxy: { hops: 1 } }));
 * app.get('/v2/users/me', (request) => ({ id: requireAuth(request).subject }));
 * ```
 */
export function authenticate(
  authenticators: Authenticator | readonly Authenticator[],
  options: AuthenticateOptions = {},
): FastifyPluginCallback {
  const { policy, guard: clientIp } = splitGuardOptions(options, AUTHENTICATION_OPTION_KEYS);
  return guard(authenticationPolicy(authenticators, policy), clientIp);
}

/**
 * Requires scopes on a route, as a route-level `onRequest` hook (it runs after the app's
 * hooks, so after `authenticate`): `scopePolicy(...)` through the same pipeline as
 * `guard`. Without a principal: 401 `unauthenticated`; without every scope: 403
 * `insufficient_scope` with `scope="..."` in the challenge and `required_scope` in the
 * problem. A callback hook: no Promise. Give it the `realm` of your `authenticate(...)`.
 *
 * @example
 * ```ts
 * app.post('/v2/notes', { onRequest: requireScopes('notes:write', { realm: 'notes-api' }) }, async (request, reply) =>
 *   reply.code(201).send({ owner: requireAuth(request).subject }),
 * );
 * ```
 */
export function requireScopes(
  scopes: string | readonly string[],
  options: RequireScopesOptions = {},
): onRequestHookHandler {
  const { policy, guard: clientIp } = splitGuardOptions(options, SCOPE_OPTION_KEYS);
  return policyHook(policyList(scopePolicy(scopes, policy)), guardResolver(clientIp));
}
