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
  type RequestContext,
  type RequestPolicy,
  requirePrincipal,
} from '@bulwark/core';
import {
  connectionClosed,
  nodeHeaderSink,
  nodeRequestContext,
  nodeRequestView,
  sendDecision as writeDecision,
} from '@bulwark/node';
import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response } from 'express';

declare global {
  namespace Express {
    interface Request {
      /** Values Bulwark policies hand to handlers (for example `apiVersion`); unset until one does. */
      bulwark?: BulwarkState;
      /** The authenticated principal, once an authenticator policy allowed the request; read it strictly with `requireAuth(req)`. */
      auth?: Principal;
    }
  }
}

/** Options of a guard: how to find the client IP. Give every guard of an app the same. */
export type ExpressAdapterOptions = ClientIpOptions;

function finish(outcome: PipelineOutcome, context: RequestContext, req: Request, res: Response, next: NextFunction) {
  if (outcome !== undefined) {
    writeDecision(res, outcome, req.method);
    return;
  }
  const { state, principal } = context;
  if (state !== undefined) req.bulwark = state;
  if (principal !== undefined) req.auth = principal;
  next();
}

/**
 * Runs Bulwark policies as one Express middleware, in order: each allow adds its headers
 * (and state, and an authenticator's principal, on `req.bulwark` and `req.auth`), the
 * first deny answers problem+json, a respond answers completely (a CORS preflight). One
 * view and one client-IP resolution per request, shared with every other guard of the
 * request; no Promise when every policy answers synchronously. `guard(policy)` mounts one.
 *
 * @example
 * ```ts
 * import { corsPolicy } from '@bulwark/cors-policy';
 * import { securityHeaders } from '@bulwark/headers';
 * app.use(guard([securityHeaders(), corsPolicy({ origins: ['https://app.example.com'] })], { trustProxy: { hops: 1 } }));
 * ```
 */
export function guard(
  policies: RequestPolicy | readonly RequestPolicy[],
  options: ExpressAdapterOptions = {},
): RequestHandler {
  const list = policyList(policies);
  const resolveClientIp = guardResolver(options);
  return function bulwarkGuard(req, res, next) {
    const { view, context } = nodeRequestContext(req, req.originalUrl, resolveClientIp);
    const outcome = evaluatePolicies(list, view, context, nodeHeaderSink(res));
    if (outcome instanceof Promise) return outcome.then((settled) => finish(settled, context, req, res, next));
    finish(outcome, context, req, res, next);
  };
}

/**
 * The principal of this request, or a `BulwarkError` `unauthenticated` (answered 401
 * problem+json by `errorHandler()`) when no authenticator set one.
 *
 * @example
 * ```ts
 * app.get('/v2/users/me', (req, res) => res.json({ id: requireAuth(req).subject }));
 * ```
 */
export function requireAuth(req: Request): Principal {
  return requirePrincipal(req.auth);
}

/**
 * Writes a deny or respond decision as the whole answer (headers already on the response,
 * such as the header profile, are kept). The same name in every Bulwark adapter.
 *
 * @example
 * ```ts
 * app.get('/v1/gone', (req, res) => sendDecision(res, deny('api_sunset', 'v1 is retired.')));
 * ```
 */
export function sendDecision(res: Response, decision: RefusalDecision, method: string = res.req.method): void {
  writeDecision(res, decision, method);
}

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
    writeDecision(res, notFoundDecision(), req.method);
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
  problemHandlerOptions(options);
  return function bulwarkErrorHandler(err: unknown, req: Request, res, next) {
    if (res.headersSent) {
      // Too late for a problem body; let Express close the connection.
      next(err);
      return;
    }
    const view = nodeRequestView(req, { url: req.originalUrl });
    writeDecision(
      res,
      decisionForError(err, { ...options, view, connectionClosed: connectionClosed(req) }),
      req.method,
    );
  };
}
export { type AuthenticateOptions, authenticate, type RequireScopesOptions, requireScopes } from './auth.js';
export { valid, validate } from './validate.js';
