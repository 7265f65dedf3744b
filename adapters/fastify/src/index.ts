import {
  applyAllow,
  type BulwarkState,
  type ClientIpOptions,
  decisionForError,
  evaluatePolicy,
  guardResolver,
  notFoundDecision,
  type Principal,
  type ProblemHandlerOptions,
  policyList,
  policyListName,
  problemHandlerOptions,
  type RefusalDecision,
  type RequestPolicy,
  requirePrincipal,
} from '@bulwark/core';
import { connectionClosed, nodeRequestView } from '@bulwark/node';
import type { FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { policyHook } from './hook.js';
import { replySink, send } from './send.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Values Bulwark policies hand to handlers (for example `apiVersion`); null until one does. */
    bulwark: BulwarkState | null;
    /** The authenticated principal, null until an authenticator policy allows the request; see `requireAuth(request)`. */
    auth: Principal | null;
  }
}

/** Options of a guard: how to find the client IP. Give every guard of an app the same. */
export type FastifyAdapterOptions = ClientIpOptions;

function decorate(app: Parameters<FastifyPluginCallback>[0]): void {
  if (!app.hasRequestDecorator('bulwark')) app.decorateRequest('bulwark', null);
  if (!app.hasRequestDecorator('auth')) app.decorateRequest('auth', null);
}

/**
 * Runs Bulwark policies in one `onRequest` hook, in order, as a Fastify plugin (wrapped
 * with fastify-plugin so it applies to the whole app, the 404 handler included): each
 * allow adds its headers (and state and principal, on `request.bulwark` and
 * `request.auth`), the first refusal answers. One view per request, shared with every
 * other guard; a callback hook, so no Promise when every policy answers synchronously.
 * `guard(policy)` mounts one.
 *
 * @example
 * ```ts
 * await app.register(guard([securityHeaders(), corsPolicy({ origins: ['https://app.example.com'] })]));
 * ```
 */
export function guard(
  policies: RequestPolicy | readonly RequestPolicy[],
  options: FastifyAdapterOptions = {},
): FastifyPluginCallback {
  const list = policyList(policies);
  const hook = policyHook(list, guardResolver(options));
  return fp(
    function bulwarkGuardPlugin(app, _opts, done) {
      decorate(app);
      app.addHook('onRequest', hook);
      done();
    },
    { fastify: '5.x', name: `bulwark-${policyListName(list)}` },
  );
}

/**
 * The principal of this request, or a `BulwarkError` `unauthenticated` (answered 401
 * problem+json by `problemHandlers()`) when no authenticator set one.
 *
 * @example
 * ```ts
 * app.get('/v2/users/me', (request) => ({ id: requireAuth(request).subject }));
 * ```
 */
export function requireAuth(request: FastifyRequest): Principal {
  return requirePrincipal(request.auth ?? undefined);
}

/**
 * Writes a deny or respond decision as the whole answer (headers already on the reply are
 * kept). The same name in every Bulwark adapter; `send` is its former name.
 *
 * @example
 * ```ts
 * app.get('/v1/gone', (request, reply) => sendDecision(reply, deny('api_sunset', 'v1 is retired.')));
 * ```
 */
export function sendDecision(
  reply: FastifyReply,
  decision: RefusalDecision,
  method: string = reply.request.method,
): FastifyReply {
  return send(reply, decision, method);
}

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
  problemHandlerOptions(options);
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
/** @deprecated The former name of {@link sendDecision}. */
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
 * const profile = securityHeaders();
 * const app = Fastify({ frameworkErrors: frameworkErrors({ policies: [profile] }), clientErrorHandler: handleClientError });
 * ```
 */
export function frameworkErrors(
  options: ProblemHandlerOptions & { readonly policies?: readonly RequestPolicy[] } = {},
) {
  const { policies = [], ...problems } = problemHandlerOptions(options, ['policies']);
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
export { type AuthenticateOptions, authenticate, type RequireScopesOptions, requireScopes } from './auth.js';
