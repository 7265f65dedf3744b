import { type BulwarkEnv, decisionResponse, errorHandler, guard, notFoundHandler } from '@bulwark/hono';
import { getRequestListener } from '@hono/node-server';
import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { type Answer, BODY_LIMIT_BYTES } from '../domain/notes.js';
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
  for (const policy of parts.policies) app.use('*', guard(policy));
  const { handlers } = parts;
  const tooLarge = () => {
    throw Object.assign(new Error('body too large'), { status: 413 });
  };
  app.get('/health', (c) => reply(c, handlers.health()));
  app.get('/v1/notes', (c) => reply(c, handlers.list(c.get('bulwark')?.apiVersion)));
  app.get('/v2/notes', (c) => reply(c, handlers.list(c.get('bulwark')?.apiVersion)));
  app.get('/v2/notes/:id', (c) => reply(c, handlers.get(c.req.param('id'))));
  app.post('/v2/notes', bodyLimit({ maxSize: BODY_LIMIT_BYTES, onError: tooLarge }), async (c) =>
    reply(c, handlers.create(c.req.header('content-type'), await c.req.text())),
  );
  return listenNode(getRequestListener(app.fetch), host, port);
};
