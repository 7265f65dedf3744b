import { createServer } from 'node:http';
import { type BulwarkEnv, errorHandler, guard, notFoundHandler } from '@bulwark/hono';
import type { AdapterDriver } from '@bulwark/testkit';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { listenOnLoopback } from './listen.js';

export const honoDriver: AdapterDriver = {
  name: 'hono',
  start(spec) {
    const app = new Hono<BulwarkEnv>();

    app.onError(errorHandler({ onError: spec.onError }));
    app.notFound(notFoundHandler());
    for (const policy of spec.policies) app.use('*', guard(policy));
    for (const route of spec.routes) {
      app.on(route.method, route.path, (c) => {
        const out = route.handle({ params: c.req.param(), state: c.get('bulwark') });
        return c.json(out.body, out.status as ContentfulStatusCode);
      });
    }
    return listenOnLoopback(createServer(getRequestListener(app.fetch)));
  },
};
