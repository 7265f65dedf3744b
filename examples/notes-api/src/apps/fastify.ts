import { createServer, METHODS } from 'node:http';
import {
  frameworkErrors,
  guard,
  problemHandlers,
  sendDecision,
  valid,
  validate,
  validationSupport,
} from '@bulwark/fastify';
import { checkHost, clientErrorHandler } from '@bulwark/node';
import Fastify from 'fastify';
import { demoPaths, otherMethodAnswer } from '../routes.js';
import type { StartApp } from './types.js';

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
      createServer({ requireHostHeader: false }, checkHost(handler, { policies: parts.profile })),
  });
  // Fastify routes only the methods it knows (404 for the rest, PROPFIND included); the
  // other routers see every method Node parses, so the 405 catch-alls below must too.
  for (const method of METHODS) {
    if (method !== 'CONNECT' && !app.supportedMethods.includes(method)) app.addHttpMethod(method, { hasBody: true });
  }
  await app.register(problemHandlers(problems));
  await app.register(validationSupport());
  await app.register(guard(parts.policies, parts.clientIp));
  for (const route of parts.routes) {
    const { validator } = route;
    app.route({
      method: route.method,
      url: route.path,
      ...(validator ? validate(validator) : {}),
      handler: (req, res) => {
        const answer = route.run(validator ? valid(req, validator) : undefined, req.bulwark?.apiVersion);
        return 'kind' in answer ? sendDecision(res, answer) : res.code(answer.status).send(answer.body);
      },
    });
  }
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
