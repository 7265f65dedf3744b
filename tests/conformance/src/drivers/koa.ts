import { guard, problemHandlers, requireAuth, valid, validate } from '@bulwark/koa';
import type { AdapterDriver } from '@bulwark/testkit';
import Router from '@koa/router';
import Koa from 'koa';
import { listenOnLoopback, profiledServer } from './listen.js';

export const koaDriver: AdapterDriver = {
  name: 'koa',
  start(spec) {
    const app = new Koa();
    const router = new Router();
    app.use(problemHandlers({ onError: spec.onError }));
    app.use(guard(spec.policies, spec.clientIp));
    for (const policy of spec.laterPolicies ?? []) app.use(guard(policy, spec.clientIp));
    for (const route of spec.routes) {
      const { validator } = route;
      router.register(
        route.path,
        [route.method],
        [
          ...(validator && route.mountValidate !== false ? [validate(validator)] : []),
          (ctx) => {
            const data = validator ? valid(ctx, validator) : undefined;
            const out = route.handle({
              params: ctx.params,
              state: ctx.state.bulwark,
              auth: ctx.state.auth,
              requireAuth: () => requireAuth(ctx),
              valid: data,
            });
            if (out.vary !== undefined) ctx.vary(out.vary);
            ctx.status = out.status;
            ctx.body = out.body;
          },
        ],
      );
    }
    app.use(router.routes());
    return listenOnLoopback(profiledServer(app.callback(), spec.profile));
  },
};
