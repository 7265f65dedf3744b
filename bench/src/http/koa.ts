import { createServer } from 'node:http';
import { guard } from '@bulwark/koa';
import koaCors from '@koa/cors';
import Router from '@koa/router';
import Koa from 'koa';
import koaHelmet from 'koa-helmet';
import ratelimit from 'koa-ratelimit';
import { bulwarkMiddleware, listenOnLoopback, type StartServer } from './listen.js';
import { bulwarkPolicies, FLOOR_HEADERS, NEVER_REACHED, NOTES, ORIGIN, ROUTE, WINDOW_MS } from './scenario.js';

const allowedOrigins = new Set([ORIGIN]);

/** The anchor pipeline users write today (koa-helmet, @koa/cors, koa-ratelimit per IP); http-stack adds JWT on top. */
export function useAnchorPipeline(app: Koa): void {
  app.use(koaHelmet());
  // @koa/cors takes one origin or a function: the allowlist form its README shows.
  app.use(
    koaCors({ origin: (ctx) => (allowedOrigins.has(ctx.get('origin')) ? ctx.get('origin') : ''), credentials: true }),
  );
  app.use(ratelimit({ driver: 'memory', db: new Map(), duration: WINDOW_MS, max: NEVER_REACHED, id: (ctx) => ctx.ip }));
}

/** The `floor` variant's middleware: fixed answer fields, set the framework's way (`ctx.set`). */
export function useFloor(app: Koa, headers: Readonly<Record<string, string>>): void {
  app.use((ctx, next) => {
    ctx.set(headers);
    return next();
  });
}

/**
 * Koa 3 with @koa/router: the route, behind nothing, Bulwark, or koa-helmet + @koa/cors +
 * koa-ratelimit (the koajs limiter; its memory driver, as Bulwark's default store is memory).
 */
export const startKoa: StartServer = async (variant, form) => {
  const app = new Koa();
  if (variant === 'ours') for (const mw of bulwarkMiddleware(guard, bulwarkPolicies(), form)) app.use(mw);
  if (variant === 'anchor') useAnchorPipeline(app);
  if (variant === 'floor') useFloor(app, FLOOR_HEADERS);
  const router = new Router();
  router.get(ROUTE, (ctx) => {
    ctx.body = NOTES;
  });
  app.use(router.routes());
  return listenOnLoopback(createServer(app.callback()));
};
