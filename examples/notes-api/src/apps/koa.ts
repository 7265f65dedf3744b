import { guard, problemHandlers, sendDecision, valid, validate } from '@bulwark/koa';
import Router from '@koa/router';
import Koa, { type Middleware } from 'koa';
import { demoPaths, otherMethodAnswer } from '../routes.js';
import { listenNode } from './listen.js';
import type { StartApp } from './types.js';

export const startKoa: StartApp = (parts, host, port) => {
  const app = new Koa();
  const router = new Router();
  app.use(problemHandlers({ onError: parts.onError, onEvent: parts.onEvent }));
  app.use(guard(parts.policies, parts.clientIp));
  for (const route of parts.routes) {
    const { validator } = route;
    const handler: Middleware = (ctx) => {
      const answer = route.run(validator ? valid(ctx, validator) : undefined, ctx.state.bulwark?.apiVersion);
      if ('kind' in answer) {
        sendDecision(ctx, answer);
        return;
      }
      ctx.status = answer.status;
      ctx.body = answer.body;
    };
    router.register(route.path, [route.method], validator ? [validate(validator), handler] : [handler]);
  }
  for (const path of demoPaths(parts.routes))
    router.all(path.path, (ctx) => sendDecision(ctx, otherMethodAnswer(path, ctx.method)));
  app.use(router.routes());
  return listenNode(app.callback(), parts.profile, host, port);
};
