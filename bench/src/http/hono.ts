import type { Server } from 'node:http';
import { guard } from '@bulwark/hono';
import { createAdaptorServer } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import { Hono } from 'hono';
import { cors } from 'hono/cors';
import { secureHeaders } from 'hono/secure-headers';
import { rateLimiter } from 'hono-rate-limiter';
import { bulwarkMiddleware, listenOnLoopback, type StartServer } from './listen.js';
import { bulwarkPolicies, FLOOR_HEADERS, NEVER_REACHED, NOTES, ORIGIN, ROUTE, WINDOW_MS } from './scenario.js';

/** The anchor pipeline users write today (secureHeaders, cors, hono-rate-limiter per peer address); http-stack adds JWT on top. */
export function useAnchorPipeline(app: Hono): void {
  app.use('*', secureHeaders());
  app.use('*', cors({ origin: [ORIGIN], credentials: true }));
  app.use(
    '*',
    rateLimiter({
      windowMs: WINDOW_MS,
      limit: NEVER_REACHED,
      standardHeaders: 'draft-6',
      keyGenerator: (c) => getConnInfo(c).remote.address ?? 'unknown',
    }),
  );
}

/** The `floor` variant's middleware: fixed answer fields, set the framework's way (`c.header`). */
export function useFloor(app: Hono, headers: Readonly<Record<string, string>>): void {
  app.use('*', (c, next) => {
    for (const name in headers) c.header(name, headers[name]);
    return next();
  });
}

/**
 * Hono 4 on @hono/node-server: the route, behind nothing, Bulwark, or Hono's own
 * `secureHeaders` and `cors` + hono-rate-limiter keyed by the peer address.
 */
export const startHono: StartServer = async (variant, form) => {
  const app = new Hono();
  if (variant === 'ours') for (const mw of bulwarkMiddleware(guard, bulwarkPolicies(), form)) app.use('*', mw);
  if (variant === 'anchor') useAnchorPipeline(app);
  if (variant === 'floor') useFloor(app, FLOOR_HEADERS);
  app.get(ROUTE, (c) => c.json(NOTES));
  return listenOnLoopback(createAdaptorServer({ fetch: app.fetch }) as Server);
};
