import { queryOf } from '@bulwark/core';
import {
  authenticate,
  type BulwarkEnv,
  errorHandler,
  guard,
  nodeServerErrors,
  nodeServerFetch,
  notFoundHandler,
  requireScopes,
  sendDecision,
  valid,
  validate,
} from '@bulwark/hono';
import { getRequestListener } from '@hono/node-server';
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { clientIpOf } from '../policies.js';
import { demoPaths, otherMethodAnswer } from '../routes.js';
import { listenNode } from './listen.js';
import { authOptions, type StartApp } from './types.js';

/** The spelling Express, Fastify and Koa give JSON (`c.json` alone sends `application/json`). */
const JSON_TYPE = { 'content-type': 'application/json; charset=utf-8' };

export const startHono: StartApp = (parts, host, port) => {
  const app = new Hono<BulwarkEnv>();
  // Hono answers HEAD with the GET answer's fields and no body, but drops the length the
  // node server would have counted; Express, Fastify and Koa send it (RFC 9110 §9.3.2).
  // Mounted first, so it sees the GET answer complete, every guard's headers on it.
  app.use('*', async function headContentLength(c, next) {
    await next();
    if (c.req.method !== 'HEAD' || c.res.body === null || c.res.headers.has('content-length')) return;
    c.res.headers.set('content-length', String((await c.res.clone().arrayBuffer()).byteLength));
  });
  app.onError(errorHandler({ onError: parts.onError, onEvent: parts.onEvent }));
  app.notFound(notFoundHandler());
  app.use('*', guard(parts.policies, parts.clientIp));
  // Built once, shared by every protected route: authentication, then the per-principal tiers.
  const protect: MiddlewareHandler<BulwarkEnv>[] = [
    authenticate(parts.protection.authenticators, authOptions(parts)),
    guard(parts.protection.principalTier, parts.clientIp),
  ];
  for (const route of parts.routes) {
    const { validator, auth } = route;
    const handler = async (c: Context<BulwarkEnv>) => {
      const answer = await route.run({
        valid: validator ? valid(c, validator) : undefined,
        rawQuery: queryOf(c.req.url),
        apiVersion: c.get('bulwark')?.apiVersion,
        clientIp: clientIpOf(c.get('bulwark')),
        principal: c.get('auth'),
      });
      if ('kind' in answer) return sendDecision(c, answer);
      if (answer.body === undefined) return c.body(null, answer.status as 204);
      return c.json(answer.body, answer.status as ContentfulStatusCode, JSON_TYPE);
    };
    const chain: MiddlewareHandler<BulwarkEnv>[] = [];
    if (auth) {
      chain.push(...protect);
      if (auth.scopes.length > 0) chain.push(requireScopes(auth.scopes, authOptions(parts)));
    }
    if (validator) chain.push(validate(validator) as MiddlewareHandler<BulwarkEnv>);
    // One call for any number of middlewares: Hono's overloads are typed per arity.
    const mount = app.on.bind(app) as (
      method: string,
      path: string,
      ...handlers: MiddlewareHandler<BulwarkEnv>[]
    ) => void;
    mount(route.method, route.path, ...chain, handler as MiddlewareHandler<BulwarkEnv>);
  }
  for (const path of demoPaths(parts.routes))
    app.all(path.path, (c) => sendDecision(c, otherMethodAnswer(path, c.req.method)));
  // The node server refuses requests it cannot turn into a Request (a backslash path,
  // `OPTIONS *`) before Hono runs: answer those with problem+json and the profile too.
  const errors = nodeServerErrors({
    policies: parts.profile,
    onError: parts.onError,
    onEvent: parts.onEvent,
  });
  // nodeServerFetch: answers without a body (a preflight's 204) leave without the
  // `text/plain` Content-Type the node server would give them.
  return listenNode(
    getRequestListener(nodeServerFetch(app.fetch), { errorHandler: errors }),
    parts.profile,
    host,
    port,
  );
};
