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
import { applyAllow, connectionClosed, nodeRequestView } from '@bulwark/node';
import type { FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { replySink, send } from './send.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Values Bulwark policies hand to handlers (for example `apiVersion`); null until one does. */
    bulwark: BulwarkState | null;
  }
}

/** Options shared by every Bulwark plugin: how to find the client IP. */
export type FastifyAdapterOptions = ClientIpOptions;

function accept(request: FastifyRequest, reply: FastifyReply, decision: AllowDecision): void {
  applyAllow(replySink(reply), decision);
  if (decision.state !== undefined) request.bulwark = { ...request.bulwark, ...decision.state };
}

function decorate(app: Parameters<FastifyPluginCallback>[0]): void {
  if (!app.hasRequestDecorator('bulwark')) app.decorateRequest('bulwark', null);
}

/**
 * Runs any Bulwark policy in an `onRequest` hook, as a Fastify plugin (wrapped with
 * fastify-plugin so it applies to the whole app, the 404 handler included).
 *
 * @example
 * ```ts
 * await app.register(guard(corsPolicy({ origins: ['https://app.example.com'] })));
 * ```
 */
export function guard(policy: RequestPolicy, options: FastifyAdapterOptions = {}): FastifyPluginCallback {
  const resolveClientIp = clientIpResolver(options);
  return fp(
    function bulwarkGuardPlugin(app, _opts, done) {
      decorate(app);
      app.addHook('onRequest', async function bulwarkGuard(request, reply) {
        const decision = await evaluatePolicy(policy, nodeRequestView(request.raw, { resolveClientIp }));
        if (decision.kind === 'allow') {
          accept(request, reply, decision);
          return;
        }
        return send(reply, decision, request.method);
      });
      done();
    },
    { fastify: '5.x', name: `bulwark-${policy.name}` },
  );
}

/**
 * CORS plugin for a `corsPolicy(...)`.
 *
 * @example
 * ```ts
 * await app.register(cors(corsPolicy({ origins: ['https://app.example.com'], credentials: true })));
 * ```
 */
export const cors: (policy: RequestPolicy, options?: FastifyAdapterOptions) => FastifyPluginCallback = guard;

/**
 * Security header plugin for a `securityHeaders(...)` profile; applies to errors and 404s too.
 *
 * @example
 * ```ts
 * await app.register(headers(securityHeaders()));
 * ```
 */
export const headers: (policy: RequestPolicy, options?: FastifyAdapterOptions) => FastifyPluginCallback = guard;

/**
 * Version negotiation plugin for an `apiVersionPolicy(...)`; sets `request.bulwark.apiVersion`.
 *
 * @example
 * ```ts
 * await app.register(apiVersion(apiVersionPolicy({ supported: ['v1', 'v2'] })));
 * ```
 */
export const apiVersion: (policy: RequestPolicy, options?: FastifyAdapterOptions) => FastifyPluginCallback = guard;

/**
 * Deprecation plugin for a `deprecationPolicy(...)`.
 *
 * @example
 * ```ts
 * await app.register(deprecation(deprecationPolicy({ rules: [{ prefix: '/v1', deprecatedAt: '2026-01-01T00:00:00Z' }] })));
 * ```
 */
export const deprecation: (policy: RequestPolicy, options?: FastifyAdapterOptions) => FastifyPluginCallback = guard;

export type { ProblemHandlerOptions };

/**
 * Sets the app's error and not-found handlers to answer problem+json. Fastify's own client
 * errors (bad JSON 400, body too large 413, unsupported type 415) keep their status; every
 * other error is a 500 without stack or message.
 *
 * @example
 * ```ts
 * await app.register(problemHandlers({ onError: (err) => app.log.error(err) }));
 * ```
 */
export function problemHandlers(options: ProblemHandlerOptions = {}): FastifyPluginCallback {
  return fp(
    function bulwarkProblemsPlugin(app, _opts, done) {
      app.setErrorHandler(function bulwarkErrorHandler(error, request, reply) {
        const view = nodeRequestView(request.raw);
        const decision = decisionForError(error, { ...options, view, connectionClosed: connectionClosed(request.raw) });
        return send(reply, decision, request.method);
      });
      app.setNotFoundHandler(function bulwarkNotFound(request, reply) {
        return send(reply, notFoundDecision(), request.method);
      });
      done();
    },
    { fastify: '5.x', name: 'bulwark-problems' },
  );
}
export { send } from './send.js';
export { valid, validate, validationSupport } from './validate.js';

/**
 * Fastify's `frameworkErrors` option: errors Fastify raises before routing (a URL that
 * does not decode, `FST_ERR_BAD_URL`; a bad content type) answered as problem+json like
 * every other error. No hook runs on that path, so pass the policies whose headers every
 * answer must carry (the header profile, CORS); their allow headers are applied.
 *
 * @example
 * ```ts
 * import { handleClientError } from '@bulwark/node';
 * const app = Fastify({ frameworkErrors: frameworkErrors({ policies: [headers] }), clientErrorHandler: handleClientError });
 * ```
 */
export function frameworkErrors(
  options: ProblemHandlerOptions & { readonly policies?: readonly RequestPolicy[] } = {},
) {
  const { policies = [], ...problems } = options;
  return async function bulwarkFrameworkErrors(
    error: Error,
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<void> {
    const view = nodeRequestView(request.raw);
    for (const policy of policies) {
      try {
        // evaluatePolicy, as the guards do: a target they refuse (Fastify's router refuses
        // some of those itself) gets their 400, worded and headed as on every framework.
        const decision = await evaluatePolicy(policy, view);
        if (decision.kind !== 'allow' && view.targetRefused) {
          send(reply, decision, request.method);
          return;
        }
        if (decision.kind === 'allow') applyAllow(replySink(reply), decision);
      } catch {
        // The error answer goes out regardless.
      }
    }
    send(reply, decisionForError(error, { ...problems, view }), request.method);
  };
}
