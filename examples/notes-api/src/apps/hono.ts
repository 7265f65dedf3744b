import { type BulwarkEnv, decisionResponse, errorHandler, guard, notFoundHandler, validate } from '@bulwark/hono';
import { getRequestListener } from '@hono/node-server';
import { type Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Answer } from '../domain/notes.js';
import { listenNode } from './listen.js';
import type { StartApp } from './types.js';

function reply(c: Context<BulwarkEnv>, answer: Answer): Response {
  if ('kind' in answer) return decisionResponse(answer, c.req.method);
  return c.json(answer.body, answer.status as ContentfulStatusCode);
}

export const startHono: StartApp = (parts, host, port) => {
  const app = new Hono<BulwarkEnv>();
  app.onError(errorHandler({ onError: parts.onError, ...(parts.onEvent ? { onEvent: parts.onEvent } : {}) }));
  app.notFound(notFoundHandler());
  for (const policy of parts.policies) app.use('*', guard(policy, parts.clientIp));
  const { handlers, validators: v } = parts;
  app.get('/health', (c) => reply(c, handlers.health()));
  for (const path of ['/v1/notes', '/v2/notes']) {
    app.get(path, validate(v.listNotes), (c) =>
      reply(c, handlers.list(c.req.valid('query'), c.get('bulwark')?.apiVersion)),
    );
  }
  app.get('/v2/notes/:id', validate(v.getNote), (c) => reply(c, handlers.get(c.req.valid('param').id)));
  app.post('/v2/notes', validate(v.createNote), (c) => reply(c, handlers.create(c.req.valid('json'))));
  app.post('/v2/reports', validate(v.createReport), (c) => reply(c, handlers.createReport(c.req.valid('json'))));
  app.get('/v2/users', validate(v.findUsers), (c) => reply(c, handlers.findUsers(c.req.valid('query').email)));
  return listenNode(getRequestListener(app.fetch), host, port);
};
