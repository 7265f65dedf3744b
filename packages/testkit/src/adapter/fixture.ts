import { manualClock } from '@bulwark/core';
import { corsPolicy } from '@bulwark/cors-policy';
import { apiVersionPolicy, deprecationPolicy, securityHeaders } from '@bulwark/headers';
import { bodyRoutes, recordServerError } from './body-fixture.js';
import type { ConformanceApp } from './driver.js';
import { formRoutes } from './form-fixture.js';
import { failingPolicy, headerAuthenticator, principalRateLimit, principalRoutes } from './principal-fixture.js';
import { conformanceRateLimit, rateLimitRoutes } from './ratelimit-fixture.js';
import { unvalidatedRoutes } from './server-fixture.js';
import { statusRoutes } from './status-fixture.js';
import { validationRoutes } from './validation-fixture.js';

export const ALLOWED_ORIGIN = 'https://app.example.com';
export const SECRET_IN_ERROR = 'db-password=hunter2';

/** The instant the conformance app's clock stands at: 30 s into a minute. */
export const CONFORMANCE_NOW = Date.UTC(2030, 0, 1, 0, 0, 30);

/**
 * The app every adapter serves for the conformance scenarios: the header profile, a
 * credentialed CORS policy, version negotiation and a deprecated v1, mounted as one guard
 * list; then a second test-only authenticator and a per-principal limit, each in its own guard.
 */
export function conformanceApp(): ConformanceApp {
  const profile = securityHeaders();
  return {
    profile: [profile],
    policies: [
      profile,
      corsPolicy({
        origins: [ALLOWED_ORIGIN, 'https://*.preview.example.com'],
        credentials: true,
        methods: ['GET', 'POST', 'DELETE'],
        allowedHeaders: ['content-type', 'x-request-id'],
        exposedHeaders: ['x-request-id'],
        maxAge: 600,
      }),
      conformanceRateLimit(manualClock(CONFORMANCE_NOW)),
      headerAuthenticator('test-authenticator', 'x-test-principal'),
      apiVersionPolicy({ supported: ['v1', 'v2'] }),
      deprecationPolicy({
        rules: [
          {
            prefix: '/v1',
            deprecatedAt: '2026-01-01T00:00:00Z',
            sunsetAt: '2027-06-30T00:00:00Z',
            documentation: 'https://docs.example.com/v1-deprecation',
            successor: '/v2/notes',
          },
        ],
      }),
    ],
    // In separate guards: the principal and the state cross guard calls.
    laterPolicies: [
      headerAuthenticator('test-authenticator-2', 'x-test-principal-2'),
      principalRateLimit(),
      failingPolicy(),
    ],
    routes: [
      { method: 'GET', path: '/health', handle: () => ({ status: 200, body: { status: 'ok' } }) },
      { method: 'GET', path: '/v1/notes', handle: () => ({ status: 200, body: { notes: [] } }) },
      {
        method: 'GET',
        path: '/v2/notes',
        handle: ({ state }) => ({ status: 200, body: { notes: [], apiVersion: state?.apiVersion ?? null } }),
      },
      { method: 'GET', path: '/v2/notes/:id', handle: ({ params }) => ({ status: 200, body: { id: params.id } }) },
      {
        method: 'GET',
        path: '/v2/boom',
        handle: () => {
          throw new Error(`connection failed: ${SECRET_IN_ERROR}`);
        },
      },
      ...validationRoutes,
      ...formRoutes,
      ...rateLimitRoutes,
      ...principalRoutes,
      ...unvalidatedRoutes,
      ...statusRoutes,
      ...bodyRoutes,
    ],
    onError: recordServerError,
  };
}
