import { queryOf } from '@bulwark/core';
import {
  authenticate,
  errorHandler,
  guard,
  notFound,
  requireScopes,
  sendDecision,
  valid,
  validate,
} from '@bulwark/express';
import express, { type RequestHandler } from 'express';
import { clientIpOf } from '../policies.js';
import { demoPaths, otherMethodAnswer } from '../routes.js';
import { listenNode } from './listen.js';
import { authOptions, type StartApp } from './types.js';

export const startExpress: StartApp = (parts, host, port) => {
  const app = express();
  app.disable('x-powered-by');
  // Express alone adds a weak ETag to every JSON answer; on no-store API answers it serves
  // no cache, and the same request must get the same bytes on every framework.
  app.set('etag', false);
  // Fastify's and Hono's routers match case and a trailing slash exactly; Express's does
  // not by default (`/V2/notes/` would reach `/v2/notes`). One routing on every framework.
  app.set('case sensitive routing', true);
  app.set('strict routing', true);
  app.use(guard(parts.policies, parts.clientIp));
  // Built once, shared by every protected route: authentication, then the per-principal tiers.
  const protect: RequestHandler[] = [
    authenticate(parts.protection.authenticators, authOptions(parts)),
    guard(parts.protection.principalTier, parts.clientIp),
  ];
  for (const route of parts.routes) {
    const { validator, auth } = route;
    const before: RequestHandler[] = [];
    if (auth) {
      before.push(...protect);
      if (auth.scopes.length > 0) before.push(requireScopes(auth.scopes, authOptions(parts)));
    }
    if (validator) before.push(validate(validator));
    const method = route.method.toLowerCase() as 'get' | 'post' | 'patch' | 'delete';
    app[method](route.path, ...before, async (req, res) => {
      const answer = await route.run({
        valid: validator ? valid(req, validator) : undefined,
        rawQuery: queryOf(req.originalUrl),
        apiVersion: req.bulwark?.apiVersion,
        clientIp: clientIpOf(req.bulwark),
        principal: req.auth,
      });
      if ('kind' in answer) sendDecision(res, answer);
      else if (answer.body === undefined) res.status(answer.status).end();
      else res.status(answer.status).json(answer.body);
    });
  }
  for (const path of demoPaths(parts.routes))
    app.all(path.path, (req, res) => sendDecision(res, otherMethodAnswer(path, req.method)));
  app.use(notFound());
  app.use(errorHandler({ onError: parts.onError, onEvent: parts.onEvent }));
  return listenNode(app, parts.profile, host, port);
};
