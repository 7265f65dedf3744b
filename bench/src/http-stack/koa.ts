import { createServer } from 'node:http';
import { authenticate, guard, requireScopes } from '@bulwark/koa';
import Router from '@koa/router';
import Koa from 'koa';
import koaJwt from 'koa-jwt';
import ratelimit from 'koa-ratelimit';
import { useAnchorPipeline, useFloor } from '../http/koa.js';
import { listenOnLoopback, type StartServer } from '../http/listen.js';
import { bulwarkPolicies, NEVER_REACHED, NOTES, ORIGIN, ROUTE, WINDOW_MS } from '../http/scenario.js';
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

const _allowedOrigins = new Set([ORIGIN]);

/**
 * Koa 3 with @koa/router and the whole stack: Bulwark, or koa-helmet + @koa/cors +
 * koa-ratelimit (per IP, then per user) around koa-jwt (jsonwebtoken underneath).
 */
export const startKoa: StartServer = async (variant, form) => {
  const secrets = importSecrets();
  const app = new Koa();
  const router = new Router();
  const handler = (ctx: Koa.Context) => {
    ctx.body = NOTES;
  };
  if (variant === 'bare') router.get(ROUTE, handler);
  if (variant === 'floor') {
    useFloor(app, STACK_FLOOR_HEADERS);
    router.get(ROUTE, handler);
  }
  if (variant === 'ours' && form === 'list') {
    app.use(guard(bulwarkStackList(secrets)));
    router.get(ROUTE, handler);
  }
  if (variant === 'ours' && form === 'each') {
    app.use(guard(bulwarkPolicies()));
    app.use(authenticate(bulwarkAuthenticator(secrets), { realm: REALM }));
    app.use(guard(principalLimit()));
    router.get(ROUTE, requireScopes(SCOPE, { realm: REALM }), handler);
  }
  if (variant === 'anchor') {
    useAnchorPipeline(app);
    app.use(koaJwt({ secret: secrets.secret, algorithms: ['HS256'], issuer: ISSUER, audience: AUDIENCE }));
    app.use(
      ratelimit({
        driver: 'memory',
        db: new Map(),
        duration: WINDOW_MS,
        max: NEVER_REACHED,
        id: (ctx) => String(ctx.state.user?.sub),
      }),
    );
    router.get(
      ROUTE,
      async (ctx, next) => {
        if (!grantsScope(ctx.state.user)) {
          ctx.status = 403;
          ctx.body = FORBIDDEN;
          return;
        }
        await next();
      },
      handler,
    );
  }
  app.use(router.routes());
  return listenOnLoopback(createServer(app.callback()));
};
