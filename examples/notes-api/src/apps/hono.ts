import {
  type BulwarkEnv,
  errorHandler,
  guard,
  nodeServerErrors,
  nodeServerFetch,
  notFoundHandler,
  sendDecision,
  valid,
  validate,
} from '@bulwark/hono';
import { getRequestListener } from '@hono/node-server';
import { type Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { demoPaths, otherMethodAnswer } from '../routes.js';
import { listenNode } from './listen.js';
import type { StartApp } from './types.js';

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
  for (const route of parts.routes) {
    const { validator } = route;
    const handler = (c: Context<BulwarkEnv>) => {
      const answer = route.run(validator ? valid(c, validator) : undefined, c.get('bulwark')?.apiVersion);
      return 'kind' in answer
        ? sendDecision(c, answer)
        : c.json(answer.body, answer.status as ContentfulStatusCode, JSON_TYPE);
    };
    if (validator) app.on(route.method, route.path, validate(validator), handler);
    else app.on(route.method, route.path, handler);
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
