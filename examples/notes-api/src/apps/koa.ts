import { guard, problemHandlers, send, valid, validate } from '@bulwark/koa';
import Router from '@koa/router';
import Koa, { type Context } from 'koa';
import type { Answer } from '../domain/notes.js';
import { listenNode } from './listen.js';
import type { StartApp } from './types.js';

function reply(ctx: Context, answer: Answer): void {
  if ('kind' in answer) {
    send(ctx, answer);
    return;
  }
  ctx.status = answer.status;
  ctx.body = answer.body;
}

export const startKoa: StartApp = (parts, host, port) => {
  const app = new Koa();
  const router = new Router();
  app.use(problemHandlers({ onError: parts.onError, ...(parts.onEvent ? { onEvent: parts.onEvent } : {}) }));
  for (const policy of parts.policies) app.use(guard(policy, parts.clientIp));
  const { handlers, validators: v } = parts;
  router.get('/health', (ctx) => reply(ctx, handlers.health()));
  for (const path of ['/v1/notes', '/v2/notes']) {
    router.get(path, validate(v.listNotes), (ctx) =>
      reply(ctx, handlers.list(valid(ctx, v.listNotes).query, ctx.state.bulwark?.apiVersion)),
    );
  }
  router.get('/v2/notes/:id', validate(v.getNote), (ctx) => reply(ctx, handlers.get(valid(ctx, v.getNote).params.id)));
  router.post('/v2/notes', validate(v.createNote), (ctx) => reply(ctx, handlers.create(valid(ctx, v.createNote).body)));
  router.post('/v2/reports', validate(v.createReport), (ctx) =>
    reply(ctx, handlers.createReport(valid(ctx, v.createReport).body)),
  );
  router.get('/v2/users', validate(v.findUsers), (ctx) =>
    reply(ctx, handlers.findUsers(valid(ctx, v.findUsers).query.email)),
  );
  app.use(router.routes());
  return listenNode(app.callback(), host, port);
};
