import {
  type BulwarkEnv,
  errorHandler,
  guard,
  nodeServerErrors,
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

export const startHono: StartApp = (parts, host, port) => {
  const app = new Hono<BulwarkEnv>();
  app.onError(errorHandler({ onError: parts.onError, ...(parts.onEvent ? { onEvent: parts.onEvent } : {}) }));
  app.notFound(notFoundHandler());
  app.use('*', guard(parts.policies, parts.clientIp));
  for (const route of parts.routes) {
    const { validator } = route;
    const handler = (c: Context<BulwarkEnv>) => {
      const answer = route.run(validator ? valid(c, validator) : undefined, c.get('bulwark')?.apiVersion);
      return 'kind' in answer ? sendDecision(c, answer) : c.json(answer.body, answer.status as ContentfulStatusCode);
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
    ...(parts.onEvent ? { onEvent: parts.onEvent } : {}),
  });
  return listenNode(getRequestListener(app.fetch, { errorHandler: errors }), parts.profile, host, port);
};
