import {
  type BulwarkState,
  type ClientIpOptions,
  decisionForError,
  evaluatePolicies,
  guardResolver,
  isClientAbort,
  notFoundDecision,
  type PipelineOutcome,
  type Principal,
  type ProblemHandlerOptions,
  policyList,
  problemHandlerOptions,
  type RefusalDecision,
  type RequestContext,
  type RequestPolicy,
  requirePrincipal,
} from '@bulwark/core';
import { connectionClosed, nodeHeaderSink, nodeRequestContext, nodeRequestView } from '@bulwark/node';
import type { Context, Middleware, Next } from 'koa';
import { send, wasAnswered } from './send.js';

declare module 'koa' {
  interface DefaultState {
    /** Values Bulwark policies hand to handlers (for example `apiVersion`); unset until one does. */
    bulwark?: BulwarkState;
    /** The authenticated principal, once an authenticator policy allowed the request; see `requireAuth(ctx)`. */
    auth?: Principal;
  }
}

/** Options of a guard: how to find the client IP. Give every guard of an app the same. */
export type KoaAdapterOptions = ClientIpOptions;

function finish(
  outcome: PipelineOutcome,
  context: RequestContext,
  ctx: Context,
  next: Next,
): Promise<void> | undefined {
  if (outcome !== undefined) {
    send(ctx, outcome);
    return undefined;
  }
  const { state, principal } = context;
  if (state !== undefined) ctx.state.bulwark = state;
  if (principal !== undefined) ctx.state.auth = principal;
  return next();
}

/**
 * Runs Bulwark policies as one Koa middleware, in order: each allow adds its headers (and
 * state and principal, on `ctx.state.bulwark` and `ctx.state.auth`), the first refusal
 * answers. One view per request, shared with every other guard; when every policy answers
 * synchronously the middleware returns `next()` itself, no Promise of its own.
 * `guard(policy)` mounts one.
 *
 * @example
 * ```ts
 * app.use(guard([securityHeaders(), corsPolicy({ origins: ['https://app.example.com'] })]));
 * ```
 */
export function guard(policies: RequestPolicy | readonly RequestPolicy[], options: KoaAdapterOptions = {}): Middleware {
  const list = policyList(policies);
  const resolveClientIp = guardResolver(options);
  return function bulwarkGuard(ctx, next) {
    const { view, context } = nodeRequestContext(ctx.req, ctx.originalUrl, resolveClientIp);
    const outcome = evaluatePolicies(list, view, context, nodeHeaderSink(ctx.res));
    if (outcome instanceof Promise) return outcome.then((settled) => finish(settled, context, ctx as Context, next));
    return finish(outcome, context, ctx as Context, next);
  } as Middleware;
}

/**
 * The principal of this request, or a `BulwarkError` `unauthenticated` (answered 401
 * problem+json by `problemHandlers()`) when no authenticator set one.
 *
 * @example
 * ```ts
 * router.get('/v2/users/me', (ctx) => { ctx.body = { id: requireAuth(ctx).subject }; });
 * ```
 */
export function requireAuth(ctx: Context): Principal {
  return requirePrincipal(ctx.state.auth);
}

/**
 * Writes a deny or respond decision as the whole answer (headers already set are kept).
 * The same name in every Bulwark adapter; `send` is its former name.
 *
 * @example
 * ```ts
 * router.get('/v1/gone', (ctx) => sendDecision(ctx, deny('api_sunset', 'v1 is retired.')));
 * ```
 */
export function sendDecision(ctx: Context, decision: RefusalDecision): void {
  send(ctx, decision);
}

export type { ProblemHandlerOptions };

/**
 * Answers errors and unmatched routes with problem+json. Mount it first: it catches what
 * everything after it throws, before Koa's default handler (which would drop the headers
 * already set, such as the security profile and CORS).
 *
 * @example
 * ```ts
 * app.use(problemHandlers());
 * ```
 */
export function problemHandlers(options: ProblemHandlerOptions = {}): Middleware {
  problemHandlerOptions(options);
  return async function bulwarkProblems(ctx, next) {
    try {
      await next();
    } catch (err) {
      const closed = connectionClosed(ctx.req);
      if (ctx.headerSent || !ctx.writable) {
        // An aborted upload: nobody to answer, and not worth Koa's default error log.
        if (isClientAbort(err, closed)) return;
        throw err;
      }
      const view = nodeRequestView(ctx.req, { url: ctx.originalUrl });
      send(ctx, decisionForError(err, { ...options, view, connectionClosed: closed }));
      return;
    }
    if (ctx.status === 404 && ctx.body == null && !wasAnswered(ctx)) send(ctx, notFoundDecision());
  };
}
export { type AuthenticateOptions, authenticate, type RequireScopesOptions, requireScopes } from './auth.js';
/** @deprecated The former name of {@link sendDecision}. */
export { send } from './send.js';
export { valid, validate } from './validate.js';
