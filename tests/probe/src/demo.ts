import { type ProbeOptions, sendProbe } from '@bulwark/testkit';
import type { RunningDemo } from '@bulwark-examples/notes-api/src/server.js';
import { startTestDemo } from '@bulwark-examples/notes-api/src/test-helpers.js';
import { demoOpenApi } from './demo-openapi.js';

export { FRAMEWORKS, type Framework } from '@bulwark-examples/notes-api/src/config.js';

/** The demo's CORS allowlist (its default CORS_ORIGINS). */
export const DEMO_ORIGIN = 'http://localhost:5173';

/** The login recipe of the demo, for a seeded user. */
export const demoLogin = (user = 'alice') => ({
  path: '/auth/login',
  body: { email: `${user}@example.com`, password: `${user}-demo-password` },
  refresh: { path: '/auth/refresh' },
});

/** The demo's generated document when it serves one, else the hand-written one. */
export async function openApiOf(demo: RunningDemo): Promise<unknown> {
  const served = await sendProbe(demo.url, { method: 'GET', path: '/openapi.json' });
  return served.status === 200 ? served.json() : demoOpenApi;
}

/** Everything the probe can be told about the demo: the document, the origin, a login with refresh, writes allowed. */
export async function demoProbeOptions(demo: RunningDemo): Promise<ProbeOptions> {
  return {
    baseUrl: demo.url,
    openapi: await openApiOf(demo),
    origin: DEMO_ORIGIN,
    login: demoLogin(),
    allowWrites: true,
    rate: 1000,
  };
}

export { startTestDemo };
