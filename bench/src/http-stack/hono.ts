import type { Server } from 'node:http';
import { authenticate, guard, requireScopes } from '@bulwark/hono';
import { createAdaptorServer } from '@hono/node-server';
import { type Context, Hono } from 'hono';
import { jwt } from 'hono/jwt';
import { rateLimiter } from 'hono-rate-limiter';
import { useAnchorPipeline, useFloor } from '../http/hono.js';
import { listenOnLoopback, type StartServer } from '../http/listen.js';
import { bulwarkPolicies, NEVER_REACHED, NOTES, ROUTE, WINDOW_MS } from '../http/scenario.js';
import {
  AUDIENCE,
  bulwarkAuthenticator,
  bulwarkStackList,
  FORBIDDEN,
  grantsScope,
  ISSUER,
  importSecrets,
  principalLimit,
  REALM,
  SCOPE,
  STACK_FLOOR_HEADERS,
} from './stack.js';

/**
 * Hono 4 on @hono/node-server with the whole stack: Bulwark, or Hono's `secureHeaders`,
 * `cors` and `jwt` middleware + hono-rate-limiter (per peer address, then per user).
 */
export const startHono: StartServer = async (variant, form) => {
  const secrets = importSecrets();
  const app = new Hono();
  const handler = (c: Context) => c.json(NOTES);
  if (variant === 'bare') app.get(ROUTE, handler);
  if (variant === 'floor') {
    useFloor(app, STACK_FLOOR_HEADERS);
    app.get(ROUTE, handler);
  }
  if (variant === 'ours' && form === 'list') {
    app.use('*', guard(bulwarkStackList(secrets)));
    app.get(ROUTE, handler);
  }
  if (variant === 'ours' && form === 'each') {
    app.use('*', guard(bulwarkPolicies()));
    app.use('*', authenticate(bulwarkAuthenticator(secrets), { realm: REALM }));
    app.use('*', guard(principalLimit()));
    app.get(ROUTE, requireScopes(SCOPE, { realm: REALM }), handler);
  }
  if (variant === 'anchor') {
    useAnchorPipeline(app);
    app.use(
      '*',
      jwt({
        secret: secrets.secret,
        alg: 'HS256',
        verification: { iss: ISSUER, aud: AUDIENCE, typ: 'at+jwt' },
      }),
    );
    app.use(
      '*',
      rateLimiter({
        windowMs: WINDOW_MS,
        limit: NEVER_REACHED,
        standardHeaders: 'draft-6',
        keyGenerator: (c) => String((c.get('jwtPayload') as { sub?: string } | undefined)?.sub),
      }),
    );
    app.get(
      ROUTE,
      async (c, next) => {
        if (!grantsScope(c.get('jwtPayload'))) return c.json(FORBIDDEN, 403);
        await next();
      },
      handler,
    );
  }
  return listenOnLoopback(createAdaptorServer({ fetch: app.fetch }) as Server);
};
