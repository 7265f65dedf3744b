import {
  type BulwarkState,
  type ClientIpOptions,
  clientIpResolver,
  decisionForError,
  evaluatePolicy,
  isClientAbort,
  notFoundDecision,
  type ProblemHandlerOptions,
  type RequestPolicy,
} from '@bulwark/core';
import { applyAllow, connectionClosed, nodeHeaderSink, nodeRequestView } from '@bulwark/node';
import type { Middleware } from 'koa';
import { send } from './send.js';

declare module 'koa' {
  interface DefaultState {
    /** Values Bulwark policies hand to handlers (for example `apiVersion`). */
    bulwark?: BulwarkState;
  }
}

/** Options shared by every Bulwark middleware: how to find the client IP. */
export type KoaAdapterOptions = ClientIpOptions;

/**
 * Runs any Bulwark policy as Koa middleware.
 *
 * @example
 * ```ts
 * app.use(guard(corsPolicy({ origins: ['https://app.example.com'] })));
 * ```
 */
export function guard(policy: RequestPolicy, options: KoaAdapterOptions = {}): Middleware {
  const resolveClientIp = clientIpResolver(options);
  return async function bulwarkGuard(ctx, next) {
    const decision = await evaluatePolicy(policy, nodeRequestView(ctx.req, { url: ctx.originalUrl, resolveClientIp }));
    if (decision.kind !== 'allow') {
      send(ctx, decision);
      return;
    }
    applyAllow(nodeHeaderSink(ctx.res), decision);
    if (decision.state !== undefined) ctx.state.bulwark = { ...ctx.state.bulwark, ...decision.state };
    await next();
  };
}

/**
 * CORS middleware for a `corsPolicy(...)`.
 *
 * @example
 * ```ts
 * app.use(cors(corsPolicy({ origins: ['https://app.example.com'], credentials: true })));
 * ```
 */
export const cors: (policy: RequestPolicy, options?: KoaAdapterOptions) => Middleware = guard;

/**
 * Security header middleware for a `securityHeaders(...)` profile. Mount it right after
 * `problemHandlers()` so errors and 404s carry the headers too.
 *
 * @example
 * ```ts
 * app.use(headers(securityHeaders()));
 * ```
 */
export const headers: (policy: RequestPolicy, options?: KoaAdapterOptions) => Middleware = guard;

/**
 * Version negotiation middleware for an `apiVersionPolicy(...)`; sets `ctx.state.bulwark.apiVersion`.
 *
 * @example
 * ```ts
 * app.use(apiVersion(apiVersionPolicy({ supported: ['v1', 'v2'] })));
 * ```
 */
export const apiVersion: (policy: RequestPolicy, options?: KoaAdapterOptions) => Middleware = guard;

/**
 * Deprecation middleware for a `deprecationPolicy(...)`.
 *
 * @example
 * ```ts
 * app.use(deprecation(deprecationPolicy({ rules: [{ prefix: '/v1', deprecatedAt: '2026-01-01T00:00:00Z' }] })));
 * ```
 */
export const deprecation: (policy: RequestPolicy, options?: KoaAdapterOptions) => Middleware = guard;

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
    if (ctx.status === 404 && ctx.body == null) send(ctx, notFoundDecision());
  };
}
export { send } from './send.js';
export { valid, validate } from './validate.js';
