import {
  type BulwarkState,
  type ClientIpOptions,
  clientIpResolver,
  decisionForError,
  evaluatePolicy,
  notFoundDecision,
  type ProblemHandlerOptions,
  type RequestPolicy,
} from '@bulwark/core';
import { applyAllow, connectionClosed, nodeHeaderSink, nodeRequestView, sendDecision } from '@bulwark/node';
import type { ErrorRequestHandler, Request, RequestHandler } from 'express';

declare global {
  namespace Express {
    interface Request {
      /** Values Bulwark policies hand to handlers (for example `apiVersion`). */
      bulwark?: BulwarkState;
    }
  }
}

/** Options shared by every Bulwark middleware: how to find the client IP. */
export type ExpressAdapterOptions = ClientIpOptions;

/**
 * Runs any Bulwark policy as Express middleware: allow adds headers and calls `next()`,
 * deny answers problem+json, respond answers completely (a CORS preflight).
 *
 * @example
 * ```ts
 * import { corsPolicy } from '@bulwark/cors-policy';
 * app.use(guard(corsPolicy({ origins: ['https://app.example.com'] })));
 * ```
 */
export function guard(policy: RequestPolicy, options: ExpressAdapterOptions = {}): RequestHandler {
  const resolveClientIp = clientIpResolver(options);
  return async function bulwarkGuard(req, res, next) {
    const view = nodeRequestView(req, { url: req.originalUrl, resolveClientIp });
    const decision = await evaluatePolicy(policy, view);
    if (decision.kind !== 'allow') {
      sendDecision(res, decision, req.method);
      return;
    }
    applyAllow(nodeHeaderSink(res), decision);
    if (decision.state !== undefined) req.bulwark = { ...req.bulwark, ...decision.state };
    next();
  };
}

/**
 * CORS middleware for a `corsPolicy(...)`: answers preflights, adds CORS headers and Vary.
 *
 * @example
 * ```ts
 * app.use(cors(corsPolicy({ origins: ['https://app.example.com'], credentials: true })));
 * ```
 */
export const cors: (policy: RequestPolicy, options?: ExpressAdapterOptions) => RequestHandler = guard;

/**
 * Security header middleware for a `securityHeaders(...)` profile. Mount it first so that
 * errors and 404s carry the headers too.
 *
 * @example
 * ```ts
 * app.use(headers(securityHeaders()));
 * ```
 */
export const headers: (policy: RequestPolicy, options?: ExpressAdapterOptions) => RequestHandler = guard;

/**
 * Version negotiation middleware for an `apiVersionPolicy(...)`; sets `req.bulwark.apiVersion`.
 *
 * @example
 * ```ts
 * app.use(apiVersion(apiVersionPolicy({ supported: ['v1', 'v2'] })));
 * ```
 */
export const apiVersion: (policy: RequestPolicy, options?: ExpressAdapterOptions) => RequestHandler = guard;

/**
 * Deprecation middleware for a `deprecationPolicy(...)`: Deprecation, Sunset and Link headers.
 *
 * @example
 * ```ts
 * app.use(deprecation(deprecationPolicy({ rules: [{ prefix: '/v1', deprecatedAt: '2026-01-01T00:00:00Z' }] })));
 * ```
 */
export const deprecation: (policy: RequestPolicy, options?: ExpressAdapterOptions) => RequestHandler = guard;

export type { ProblemHandlerOptions };

/**
 * Answers unmatched routes with 404 problem+json. Mount after your routes.
 *
 * @example
 * ```ts
 * app.use(notFound());
 * app.use(errorHandler());
 * ```
 */
export function notFound(): RequestHandler {
  return function bulwarkNotFound(req, res) {
    sendDecision(res, notFoundDecision(), req.method);
  };
}

/**
 * Answers every error with problem+json: client errors raised by parsers keep their status
 * (400, 413, 415), everything else is a 500 without a stack or a message.
 *
 * @example
 * ```ts
 * app.use(errorHandler({ onError: (err) => logger.error(err) }));
 * ```
 */
export function errorHandler(options: ProblemHandlerOptions = {}): ErrorRequestHandler {
  return function bulwarkErrorHandler(err: unknown, req: Request, res, next) {
    if (res.headersSent) {
      // Too late for a problem body; let Express close the connection.
      next(err);
      return;
    }
    const view = nodeRequestView(req, { url: req.originalUrl });
    sendDecision(res, decisionForError(err, { ...options, view, connectionClosed: connectionClosed(req) }), req.method);
  };
}
export { valid, validate } from './validate.js';
