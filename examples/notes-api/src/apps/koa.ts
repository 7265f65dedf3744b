import { queryOf } from '@bulwark/core';
import { authenticate, guard, problemHandlers, requireScopes, sendDecision, valid, validate } from '@bulwark/koa';
import Router from '@koa/router';
import Koa, { type Middleware } from 'koa';
import { clientIpOf } from '../policies.js';
import { demoPaths, otherMethodAnswer } from '../routes.js';
import { listenNode } from './listen.js';
import { authOptions, type StartApp } from './types.js';

export const startKoa: StartApp = (parts, host, port) => {
  const app = new Koa();
  // Case and a trailing slash matched exactly, as Fastify's and Hono's routers do.
  const router = new Router({ sensitive: true, strict: true });
  app.use(problemHandlers({ onError: parts.onError, onEvent: parts.onEvent }));
  app.use(guard(parts.policies, parts.clientIp));
  // Built once, shared by every protected route: authentication, then the per-principal tiers.
  const protect: Middleware[] = [
    authenticate(parts.protection.authenticators, authOptions(parts)),
    guard(parts.protection.principalTier, parts.clientIp),
  ];
  for (const route of parts.routes) {
    const { validator, auth } = route;
    const handler: Middleware = async (ctx) => {
      const answer = await route.run({
        valid: validator ? valid(ctx, validator) : undefined,
        rawQuery: queryOf(ctx.originalUrl),
        apiVersion: ctx.state.bulwark?.apiVersion,
        clientIp: clientIpOf(ctx.state.bulwark),
        principal: ctx.state.auth,
      });
      if ('kind' in answer) {
        sendDecision(ctx, answer);
        return;
      }
      ctx.status = answer.status;
      if (answer.body !== undefined) ctx.body = answer.body;
    };
    const chain: Middleware[] = [];
    if (auth) {
      chain.push(...protect);
      if (auth.scopes.length > 0) chain.push(requireScopes(auth.scopes, authOptions(parts)));
    }
    if (validator) chain.push(validate(validator));
    router.register(route.path, [route.method], [...chain, handler]);
  }
  for (const path of demoPaths(parts.routes))
    router.all(path.path, (ctx) => sendDecision(ctx, otherMethodAnswer(path, ctx.method)));
  app.use(router.routes());
  return listenNode(app.callback(), parts.profile, host, port);
};
