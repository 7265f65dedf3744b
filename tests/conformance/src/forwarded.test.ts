import { manualClock } from '@bulwark/core';
import { securityHeaders } from '@bulwark/headers';
import { rateLimitPolicy } from '@bulwark/ratelimit';
import {
  type AdapterScenario,
  CONFORMANCE_NOW,
  type ConformanceApp,
  expectProblem,
  runAdapterConformance,
  runIdenticalAnswers,
} from '@bulwark/testkit';
import { expect } from 'vitest';
import { expressDriver } from './drivers/express.js';
import { fastifyDriver } from './drivers/fastify.js';
import { honoDriver } from './drivers/hono.js';
import { koaDriver } from './drivers/koa.js';

// Behind a trusted proxy that writes RFC 7239 `Forwarded` (the test client's loopback
// address stands for the proxy): a client's malformed part must never swallow the element
// the proxy appended (issue #14). One request per client address, so the second request
// of a client is refused: that is how the test sees which address was resolved.
function forwardedApp(): ConformanceApp {
  return {
    policies: [
      securityHeaders(),
      rateLimitPolicy({
        name: 'fwd',
        limits: [{ name: 'ip', key: 'ip', limit: 1, window: '1m' }],
        clock: manualClock(CONFORMANCE_NOW),
      }),
    ],
    clientIp: { trustProxy: { cidrs: ['127.0.0.0/8', '::1/128'] }, header: 'forwarded' },
    routes: [{ method: 'GET', path: '/v2/ping', handle: () => ({ status: 200, body: { ok: true } }) }],
    onError: () => {},
  };
}

const scenarios: readonly AdapterScenario[] = [
  {
    name: 'Forwarded: an unterminated quote the client sent does not swallow the element the proxy appended',
    async run(send) {
      const ping = (forwarded: string) => send({ method: 'GET', path: '/v2/ping', headers: { forwarded } });
      expect((await ping('for=198.51.100.90')).status).toBe(200);
      // The client wrote `for="6.6.6.6` (no closing quote); the proxy appended `, for=198.51.100.90`.
      expectProblem(await ping('for="6.6.6.6, for=198.51.100.90'), 429, 'rate_limited');
      // Another client behind the same proxy keeps its own budget.
      expect((await ping('for="6.6.6.6, for=198.51.100.91')).status).toBe(200);
    },
  },
];

const drivers = [expressDriver, fastifyDriver, koaDriver, honoDriver];
for (const driver of drivers) runAdapterConformance(driver, { app: forwardedApp(), scenarios });
runIdenticalAnswers(drivers, { app: forwardedApp, scenarios });
