import { createServer, METHODS } from 'node:http';
import { queryOf } from '@bulwark/core';
import {
  authenticate,
  frameworkErrors,
  guard,
  problemHandlers,
  requireScopes,
  sendDecision,
  valid,
  validate,
  validationSupport,
} from '@bulwark/fastify';
import { checkRequestHead, clientErrorHandler, refuseUnservedRequests } from '@bulwark/node';
import Fastify, { type FastifyInstance, type onRequestHookHandler, type RouteShorthandOptions } from 'fastify';
import { clientIpOf } from '../policies.js';
import { type DemoRoute, demoPaths, otherMethodAnswer } from '../routes.js';
import { type AppParts, authOptions, type StartApp } from './types.js';

/** Mounts one demo route on `scope`; `requireScopes` runs before validate()'s own onRequest hook. */
function mountRoute(scope: FastifyInstance, parts: AppParts, route: DemoRoute): void {
  const { validator, auth } = route;
  const validation: RouteShorthandOptions = validator ? validate(validator) : {};
  const onRequest: onRequestHookHandler[] = [];
  if (auth && auth.scopes.length > 0) onRequest.push(requireScopes(auth.scopes, authOptions(parts)));
  if (validation.onRequest) onRequest.push(...[validation.onRequest].flat());
  scope.route({
    method: route.method,
    url: route.path,
    ...validation,
    ...(onRequest.length > 0 ? { onRequest } : {}),
    handler: async (req, res) => {
      const answer = await route.run({
        valid: validator ? valid(req, validator) : undefined,
        rawQuery: queryOf(req.url),
        apiVersion: req.bulwark?.apiVersion,
        clientIp: clientIpOf(req.bulwark),
        principal: req.auth ?? undefined,
      });
      if ('kind' in answer) return sendDecision(res, answer);
      return answer.body === undefined ? res.code(answer.status).send() : res.code(answer.status).send(answer.body);
    },
  });
}

export const startFastify: StartApp = async (parts, host, port) => {
  const problems = { onError: parts.onError, onEvent: parts.onEvent };
  const app = Fastify({
    // Node's default, which the other three keep: Fastify's own is 72 s (`Keep-Alive: timeout=72`).
    keepAliveTimeout: 5_000,
    frameworkErrors: frameworkErrors({ ...problems, policies: parts.policies }),
    clientErrorHandler: clientErrorHandler({ policies: parts.profile }),
    // As listenNode does for the others: Node's own Host check answers without any header.
    // Fastify applies none of its server options (requestTimeout, keepAliveTimeout, ...)
    // to a server made here: set any you need on it.
    serverFactory: (handler) =>
      refuseUnservedRequests(
        createServer({ requireHostHeader: false }, checkRequestHead(handler, { policies: parts.profile })),
        { policies: parts.profile },
      ),
  });
  // Fastify routes only the methods it knows (404 for the rest, PROPFIND included); the
  // other routers see every method Node parses, so the 405 catch-alls below must too.
  for (const method of METHODS) {
    if (method !== 'CONNECT' && !app.supportedMethods.includes(method)) app.addHttpMethod(method, { hasBody: true });
  }
  await app.register(problemHandlers(problems));
  await app.register(validationSupport());
  await app.register(guard(parts.policies, parts.clientIp));
  // find-my-way matches an empty parameter (`/v2/notes/` reaches `/v2/notes/:id` with id
  // ''), where the other routers answer 404: so does this hook, before authentication.
  app.addHook('onRequest', (req, reply, done) => {
    const params = req.params as Record<string, string> | undefined;
    if (params !== undefined && Object.values(params).includes('')) reply.callNotFound();
    else done();
  });
  for (const route of parts.routes) if (!route.auth) mountRoute(app, parts, route);
  // The protected routes live in their own encapsulated context, whose app-wide hooks
  // (authentication, then the per-principal tiers) run for them only, after the guard above.
  await app.register(async (scope) => {
    await scope.register(authenticate(parts.protection.authenticators, authOptions(parts)));
    await scope.register(guard(parts.protection.principalTier, parts.clientIp));
    for (const route of parts.routes) if (route.auth) mountRoute(scope, parts, route);
  });
  for (const path of demoPaths(parts.routes))
    app.route({
      // Fastify refuses a second handler for a method, so this one takes only the others.
      method: app.supportedMethods.filter((method) => !path.allowed.includes(method) || method === 'OPTIONS'),
      url: path.path,
      handler: (req, res) => sendDecision(res, otherMethodAnswer(path, req.method)),
    });
  const url = await app.listen({ host, port });
  return { url, close: () => app.close() };
};
