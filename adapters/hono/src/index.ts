import {
  type BulwarkState,
  type ClientIpOptions,
  decisionForError,
  evaluatePolicies,
  guardResolver,
  notFoundDecision,
  type PipelineOutcome,
  type Principal,
  type ProblemHandlerOptions,
  policyList,
  problemHandlerOptions,
  type RefusalDecision,
  type RequestPolicy,
  requirePrincipal,
} from '@bulwark/core';
import type { Context, ErrorHandler, MiddlewareHandler, Next, NotFoundHandler } from 'hono';
import { type GuardSlot, guardSlot, type ResponseHeaders } from './context.js';
import { decisionResponse, honoView, nodePeerAddress } from './shared.js';

declare module 'hono' {
  interface ContextVariableMap {
    /** Values Bulwark policies hand to handlers (for example `apiVersion`); unset until one does. */
    bulwark?: BulwarkState;
    /** The authenticated principal, once an authenticator policy allowed the request; see `requireAuth(c)`. */
    auth?: Principal;
  }
}

/**
 * The Hono environment Bulwark middleware adds: `c.var.bulwark` and `c.var.auth`, each
 * unset until a policy sets it (also declared on Hono's `ContextVariableMap`).
 */
export interface BulwarkEnv {
  Variables: { bulwark?: BulwarkState; auth?: Principal };
}

export interface HonoAdapterOptions extends ClientIpOptions {
  /**
   * Reads the TCP peer address. Default: the Node server's socket (`@hono/node-server`
   * puts the IncomingMessage at `c.env.incoming`). On other runtimes pass your own, for
   * example with `getConnInfo` from `hono/bun` or `hono/deno`.
   */
  readonly getPeerAddress?: ((c: Context) => string | undefined) | undefined;
}

function expose(c: Context, slot: GuardSlot): void {
  const { state, principal } = slot.context;
  if (state !== undefined) c.set('bulwark', state);
  if (principal !== undefined) c.set('auth', principal);
}

async function afterHandler(c: Context, next: Next, headers: ResponseHeaders): Promise<undefined> {
  await next();
  headers.finish(c);
  return undefined;
}

function finish(
  c: Context,
  next: Next,
  slot: GuardSlot,
  headers: ResponseHeaders,
  outcome: PipelineOutcome,
): Response | Promise<undefined> {
  if (outcome !== undefined) return headers.refusal(decisionResponse(outcome, c.req.method));
  expose(c, slot);
  // On @hono/node-server the allow headers are already on the Node response: nothing to
  // do after the handler, so `next()` is returned as is.
  return headers.deferred ? afterHandler(c, next, headers) : (next() as Promise<undefined>);
}

/**
 * Runs Bulwark policies as one Hono middleware, in order: each allow adds its headers (and
 * state and principal, on `c.var.bulwark` and `c.var.auth`), the first refusal answers.
 * Allow headers reach every answer (errors and 404s too). On `@hono/node-server` they are
 * written straight onto the Node response before the handler runs (no Web `Headers` work,
 * the server's fast path kept; a handler's own `Vary` or `Link` merges with ours, any
 * other header it sets wins, as on the Node frameworks); on other runtimes they are added
 * to the final Response. One view per request, shared with every other guard.
 * `guard(policy)` mounts one.
 *
 * @example
 * ```ts
 * app.use('*', guard([securityHeaders(), corsPolicy({ origins: ['https://app.example.com'] })]));
 * ```
 */
export function guard(
  policies: RequestPolicy | readonly RequestPolicy[],
  options: HonoAdapterOptions = {},
): MiddlewareHandler<BulwarkEnv> {
  const list = policyList(policies);
  const resolve = guardResolver(options, ['getPeerAddress']);
  const getPeer = options.getPeerAddress ?? nodePeerAddress;
  return function bulwarkGuard(c, next) {
    const slot = guardSlot(c, resolve, getPeer, (context) => honoView(c, resolve, getPeer, context));
    const headers = slot.headers(c);
    const outcome = evaluatePolicies(list, slot.view, slot.context, headers.sink);
    if (outcome instanceof Promise) {
      return outcome.then<Response | undefined>((settled) => finish(c, next, slot, headers, settled));
    }
    return finish(c, next, slot, headers, outcome);
  } as MiddlewareHandler<BulwarkEnv>;
}

/**
 * The principal of this request, or a `BulwarkError` `unauthenticated` (answered 401
 * problem+json by `errorHandler()`) when no authenticator set one.
 *
 * @example
 * ```ts
 * app.get('/v2/users/me', (c) => c.json({ id: requireAuth(c).subject }));
 * ```
 */
export function requireAuth(c: Context): Principal {
  return requirePrincipal(c.get('auth'));
}

/**
 * The Response for a deny or respond decision. The same name in every Bulwark adapter
 * (here it returns the answer, Hono's way); `decisionResponse` is its former name.
 *
 * @example
 * ```ts
 * app.get('/v1/gone', (c) => sendDecision(c, deny('api_sunset', 'v1 is retired.')));
 * ```
 */
export function sendDecision(c: Context, decision: RefusalDecision): Response {
  return decisionResponse(decision, c.req.method);
}

export type { ProblemHandlerOptions };

/**
 * An `app.onError` handler answering problem+json (HTTPException keeps its 4xx status;
 * everything else is a 500 without stack or message).
 *
 * @example
 * ```ts
 * app.onError(errorHandler());
 * app.notFound(notFoundHandler());
 * ```
 */
export function errorHandler(options: ProblemHandlerOptions = {}): ErrorHandler {
  problemHandlerOptions(options);
  return function bulwarkErrorHandler(err, c) {
    const view = honoView(
      c,
      () => undefined,
      () => undefined,
    );
    return decisionResponse(
      decisionForError(err, { ...options, view, connectionClosed: connectionClosed(c) }),
      c.req.method,
    );
  };
}

/**
 * Whether the client is gone: the request's signal aborts when it goes away (on
 * `@hono/node-server`, Deno, Bun); on `@hono/node-server` the socket tells it too, without
 * waiting for the server to abort the signal.
 */
function connectionClosed(c: Context): boolean {
  if (c.req.raw.signal?.aborted === true) return true;
  const env = c.env as { incoming?: { socket?: { destroyed?: boolean } } } | undefined;
  return env?.incoming?.socket?.destroyed === true;
}

/**
 * An `app.notFound` handler answering 404 problem+json.
 *
 * @example
 * ```ts
 * app.notFound(notFoundHandler());
 * ```
 */
export function notFoundHandler(): NotFoundHandler {
  return function bulwarkNotFound(c) {
    return decisionResponse(notFoundDecision(), c.req.method);
  };
}
export { type AuthenticateOptions, authenticate, type RequireScopesOptions, requireScopes } from './auth.js';
export { type NodeServerErrorOptions, nodeServerErrors, nodeServerFetch } from './node-server.js';
/** @deprecated The former name of {@link sendDecision}. */
export { decisionResponse } from './shared.js';
export { type ValidatedInput, valid, validate } from './validate.js';
