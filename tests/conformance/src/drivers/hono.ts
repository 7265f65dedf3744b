import {
  authenticate,
  type BulwarkEnv,
  errorHandler,
  guard,
  nodeServerErrors,
  nodeServerFetch,
  notFoundHandler,
  requireAuth,
  requireScopes,
  valid,
  validate,
} from '@bulwark/hono';
import type { AdapterDriver } from '@bulwark/testkit';
import { getRequestListener } from '@hono/node-server';
import { type Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { listenOnLoopback, profiledServer } from './listen.js';

const JSON_TYPE = { 'content-type': 'application/json; charset=utf-8' };

export const honoDriver: AdapterDriver = {
  name: 'hono',
  start(spec) {
    const app = new Hono<BulwarkEnv>();

    app.onError(errorHandler({ onError: spec.onError, realm: spec.realm }));
    app.notFound(notFoundHandler());
    app.use('*', guard(spec.policies, spec.clientIp));
    const { authentication } = spec;
    if (authentication) {
      app.use('*', authenticate(authentication.authenticators, { ...authentication.options, ...spec.clientIp }));
    }
    for (const policy of spec.laterPolicies ?? []) app.use('*', guard(policy, spec.clientIp));
    for (const route of spec.routes) {
      const { validator } = route;
      const handler = (c: Context<BulwarkEnv>) => {
        const data = validator ? valid(c, validator) : undefined;
        const out = route.handle({
          params: c.req.param() as Record<string, string>,
          state: c.get('bulwark'),
          auth: c.var.auth,
          requireAuth: () => requireAuth(c),
          valid: data,
        });
        if (out.vary !== undefined) c.header('Vary', out.vary, { append: true });
        // The spelling Express, Fastify and Koa use for JSON (c.json alone sends `application/json`).
        return c.json(out.body, out.status as ContentfulStatusCode, JSON_TYPE);
      };
      const before = [
        ...(route.scopes === undefined
          ? []
          : [requireScopes(route.scopes, { ...route.scopeOptions, ...spec.clientIp })]),
        ...(validator && route.mountValidate !== false ? [validate(validator)] : []),
      ];
      app.on(route.method, route.path, ...(before as []), handler);
    }
    const errors = nodeServerErrors({ policies: spec.profile ?? [], onError: spec.onError, realm: spec.realm });
    return listenOnLoopback(
      profiledServer(getRequestListener(nodeServerFetch(app.fetch), { errorHandler: errors }), spec.profile),
    );
  },
};
