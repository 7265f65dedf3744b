import {
  type AllowDecision,
  type BulwarkState,
  type ClientIpOptions,
  clientIpResolver,
  decisionForError,
  evaluatePolicy,
  notFoundDecision,
  type ProblemHandlerOptions,
  type RequestPolicy,
} from '@bulwark/core';
import type { Context, ErrorHandler, MiddlewareHandler, NotFoundHandler } from 'hono';
import { applyHeadersBeneath, decisionResponse, honoView, nodePeerAddress, webSink } from './shared.js';

/** The Hono environment Bulwark middleware adds: `c.get('bulwark')`. */
export interface BulwarkEnv {
  Variables: { bulwark: BulwarkState };
}

export interface HonoAdapterOptions extends ClientIpOptions {
  /**
   * Reads the TCP peer address. Default: the Node server's socket (`@hono/node-server`
   * puts the IncomingMessage at `c.env.incoming`). On other runtimes pass your own, for
   * example with `getConnInfo` from `hono/bun` or `hono/deno`.
   */
  readonly getPeerAddress?: (c: Context) => string | undefined;
}

/** Adds an allow decision's headers to the final response, whatever produced it. */
function decorateResponse(c: Context, decision: AllowDecision): void {
  if (decision.headers.length === 0 && decision.removeHeaders === undefined) return;
  const apply = () => {
    const sink = webSink(c.res.headers);
    applyHeadersBeneath(sink, decision.headers);
    if (decision.removeHeaders !== undefined) for (const name of decision.removeHeaders) sink.remove(name);
  };
  try {
    apply();
  } catch {
    // Responses from fetch() have immutable headers: copy once, then apply.
    c.res = new Response(c.res.body, c.res);
    apply();
  }
}

/**
 * Runs any Bulwark policy as Hono middleware. Headers of an allow decision are put on
 * the final response after the handler, so errors and 404s carry them too.
 *
 * @example
 * ```ts
 * app.use('*', guard(corsPolicy({ origins: ['https://app.example.com'] })));
 * ```
 */
export function guard(policy: RequestPolicy, options: HonoAdapterOptions = {}): MiddlewareHandler<BulwarkEnv> {
  const resolve = clientIpResolver(options);
  const getPeer = options.getPeerAddress ?? nodePeerAddress;
  return async function bulwarkGuard(c, next) {
    const decision = await evaluatePolicy(policy, honoView(c, resolve, getPeer));
    if (decision.kind !== 'allow') return decisionResponse(decision, c.req.method);
    if (decision.state !== undefined) c.set('bulwark', { ...c.get('bulwark'), ...decision.state });
    await next();
    decorateResponse(c, decision);
  };
}

/**
 * CORS middleware for a `corsPolicy(...)`.
 *
 * @example
 * ```ts
 * app.use('*', cors(corsPolicy({ origins: ['https://app.example.com'], credentials: true })));
 * ```
 */
export const cors: (policy: RequestPolicy, options?: HonoAdapterOptions) => MiddlewareHandler<BulwarkEnv> = guard;

/**
 * Security header middleware for a `securityHeaders(...)` profile; applies to errors and 404s too.
 *
 * @example
 * ```ts
 * app.use('*', headers(securityHeaders()));
 * ```
 */
export const headers: (policy: RequestPolicy, options?: HonoAdapterOptions) => MiddlewareHandler<BulwarkEnv> = guard;

/**
 * Version negotiation middleware for an `apiVersionPolicy(...)`; `c.get('bulwark').apiVersion`.
 *
 * @example
 * ```ts
 * app.use('*', apiVersion(apiVersionPolicy({ supported: ['v1', 'v2'] })));
 * ```
 */
export const apiVersion: (policy: RequestPolicy, options?: HonoAdapterOptions) => MiddlewareHandler<BulwarkEnv> = guard;

/**
 * Deprecation middleware for a `deprecationPolicy(...)`.
 *
 * @example
 * ```ts
 * app.use('*', deprecation(deprecationPolicy({ rules: [{ prefix: '/v1', deprecatedAt: '2026-01-01T00:00:00Z' }] })));
 * ```
 */
export const deprecation: (policy: RequestPolicy, options?: HonoAdapterOptions) => MiddlewareHandler<BulwarkEnv> =
  guard;

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
export { type NodeServerErrorOptions, nodeServerErrors, nodeServerFetch } from './node-server.js';
export { decisionResponse } from './shared.js';
export { type ValidatedInput, valid, validate } from './validate.js';
