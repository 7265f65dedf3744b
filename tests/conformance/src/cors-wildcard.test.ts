import { corsPolicy } from '@bulwark/cors-policy';
import { securityHeaders } from '@bulwark/headers';
import {
  type AdapterScenario,
  type ConformanceApp,
  expectProfile,
  runAdapterConformance,
  runIdenticalAnswers,
} from '@bulwark/testkit';
import { expect } from 'vitest';
import { expressDriver } from './drivers/express.js';
import { fastifyDriver } from './drivers/fastify.js';
import { honoDriver } from './drivers/hono.js';
import { koaDriver } from './drivers/koa.js';

// A public API open to every origin (`origins: ['*']`, no credentials). The Fetch standard
// ("CORS protocol and HTTP caches"): a static `*` goes on every answer, with or without an
// Origin, else a cached Origin-less answer breaks a later CORS request (issue #14).
function wildcardApp(): ConformanceApp {
  return {
    policies: [securityHeaders(), corsPolicy({ origins: ['*'], exposedHeaders: ['x-request-id'] })],
    routes: [{ method: 'GET', path: '/v2/public', handle: () => ({ status: 200, body: { ok: true } }) }],
    onError: () => {},
  };
}

const scenarios: readonly AdapterScenario[] = [
  {
    name: 'CORS origins ["*"]: an answer without Origin still carries the static grant',
    request: { method: 'GET', path: '/v2/public' },
    check(res) {
      expect(res.status).toBe(200);
      expect(res.header('access-control-allow-origin')).toBe('*');
      expect(res.header('access-control-expose-headers')).toBe('x-request-id');
      expect(res.header('access-control-allow-credentials')).toBeUndefined();
      expectProfile(res);
    },
  },
  {
    name: 'CORS origins ["*"]: a CORS request gets the same static grant',
    request: { method: 'GET', path: '/v2/public', headers: { origin: 'https://anywhere.example' } },
    check(res) {
      expect(res.status).toBe(200);
      expect(res.header('access-control-allow-origin')).toBe('*');
    },
  },
  {
    name: 'CORS origins ["*"]: a 404 without Origin carries the static grant too',
    request: { method: 'GET', path: '/v2/missing' },
    check(res) {
      expect(res.status).toBe(404);
      expect(res.header('access-control-allow-origin')).toBe('*');
    },
  },
];

const drivers = [expressDriver, fastifyDriver, koaDriver, honoDriver];
for (const driver of drivers) runAdapterConformance(driver, { app: wildcardApp(), scenarios });
runIdenticalAnswers(drivers, { app: wildcardApp, scenarios });
