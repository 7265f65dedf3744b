import { authenticate, guard, problemHandlers, requireAuth, requireScopes, valid, validate } from '@bulwark/koa';
import type { AdapterDriver } from '@bulwark/testkit';
import Router from '@koa/router';
import Koa from 'koa';
import { listenOnLoopback, profiledServer } from './listen.js';

export const koaDriver: AdapterDriver = {
  name: 'koa',
  start(spec) {
    const app = new Koa();
    const router = new Router();
    app.use(problemHandlers({ onError: spec.onError, realm: spec.realm }));
    app.use(guard(spec.policies, spec.clientIp));
    const { authentication } = spec;
    if (authentication)
      app.use(authenticate(authentication.authenticators, { ...authentication.options, ...spec.clientIp }));
    for (const policy of spec.laterPolicies ?? []) app.use(guard(policy, spec.clientIp));
    for (const route of spec.routes) {
      const { validator } = route;
      router.register(
        route.path,
        [route.method],
        [
          ...(route.scopes === undefined
            ? []
            : [requireScopes(route.scopes, { ...route.scopeOptions, ...spec.clientIp })]),
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
