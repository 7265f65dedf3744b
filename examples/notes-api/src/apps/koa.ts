import { renderDecision } from '@bulwark/core';
import { guard, problemHandlers } from '@bulwark/koa';
import Router from '@koa/router';
import Koa, { type Context } from 'koa';
import { type Answer, BODY_LIMIT_BYTES } from '../domain/notes.js';
import { listenNode } from './listen.js';
import type { StartApp } from './types.js';

function reply(ctx: Context, answer: Answer): void {
  if (!('kind' in answer)) {
    ctx.status = answer.status;
    ctx.body = answer.body;
    return;
  }
  const rendered = renderDecision(answer, ctx.method);
  for (const [name, value] of rendered.headers) ctx.set(name, value);
  ctx.status = rendered.status;
  ctx.body = rendered.body ?? null;
}

/** Reads the body as text, refusing it with 413 as soon as it passes the limit. */
async function readText(ctx: Context): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > BODY_LIMIT_BYTES) throw Object.assign(new Error('body too large'), { status: 413 });
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export const startKoa: StartApp = (parts, host, port) => {
  const app = new Koa();
  const router = new Router();
  app.use(problemHandlers({ onError: parts.onError, ...(parts.onEvent ? { onEvent: parts.onEvent } : {}) }));
  for (const policy of parts.policies) app.use(guard(policy));
  const { handlers } = parts;
  router.get('/health', (ctx) => reply(ctx, handlers.health()));
  router.get('/v1/notes', (ctx) => reply(ctx, handlers.list(ctx.state.bulwark?.apiVersion)));
  router.get('/v2/notes', (ctx) => reply(ctx, handlers.list(ctx.state.bulwark?.apiVersion)));
  router.get('/v2/notes/:id', (ctx) => reply(ctx, handlers.get(ctx.params.id as string)));
  router.post('/v2/notes', async (ctx) =>
    reply(ctx, handlers.create(ctx.get('content-type') || undefined, await readText(ctx))),
  );
  app.use(router.routes());
  return listenNode(app.callback(), host, port);
};
