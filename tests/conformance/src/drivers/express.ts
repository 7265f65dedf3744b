import { errorHandler, guard, notFound, requireAuth, valid, validate } from '@bulwark/express';
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
    for (const policy of spec.laterPolicies ?? []) app.use(guard(policy, spec.clientIp));
    for (const route of spec.routes) {
      const { validator } = route;
      const handlers: RequestHandler[] = validator && route.mountValidate !== false ? [validate(validator)] : [];
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
    app.use(errorHandler({ onError: spec.onError }));
    return listenOnLoopback(profiledServer(app, spec.profile));
  },
};
