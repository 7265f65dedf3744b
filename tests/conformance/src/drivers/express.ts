import {
  authenticate,
  errorHandler,
  guard,
  notFound,
  requireAuth,
  requireScopes,
  valid,
  validate,
} from '@bulwark/express';
import type { AdapterDriver } from '@bulwark/testkit';
import express, { type RequestHandler } from 'express';
import { listenOnLoopback, profiledServer } from './listen.js';

export const expressDriver: AdapterDriver = {
  name: 'express',
  start(spec) {
    const app = express();
    // Express's default weak ETag on every JSON answer: the others send none, and on a
    // no-store API answer it serves no cache (docs/adapters.md, byte-identical answers).
    app.set('etag', false);
    app.use(guard(spec.policies, spec.clientIp));
    const { authentication } = spec;
    if (authentication)
      app.use(authenticate(authentication.authenticators, { ...authentication.options, ...spec.clientIp }));
    for (const policy of spec.laterPolicies ?? []) app.use(guard(policy, spec.clientIp));
    for (const route of spec.routes) {
      const { validator } = route;
      const handlers: RequestHandler[] = [
        ...(route.scopes === undefined
          ? []
          : [requireScopes(route.scopes, { ...route.scopeOptions, ...spec.clientIp })]),
        ...(validator && route.mountValidate !== false ? [validate(validator)] : []),
      ];
      app[route.method.toLowerCase() as 'get'](route.path, ...handlers, (req, res) => {
        const data = validator ? valid(req, validator) : undefined;
        const out = route.handle({
          params: req.params as Record<string, string>,
          state: req.bulwark,
          auth: req.auth,
          requireAuth: () => requireAuth(req),
          valid: data,
        });
        if (out.vary !== undefined) res.vary(out.vary);
        res.status(out.status).json(out.body);
      });
    }
    app.use(notFound());
    app.use(errorHandler({ onError: spec.onError, realm: spec.realm }));
    return listenOnLoopback(profiledServer(app, spec.profile));
  },
};
