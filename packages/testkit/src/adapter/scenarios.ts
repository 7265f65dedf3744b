import { expect } from 'vitest';
import type { ProbeResponse } from '../http-client.js';
import { bodyScenarios } from './body-scenarios.js';
import { corsScenarios } from './cors-scenarios.js';
import { expectProblem, expectProfile, varyTokens } from './expect.js';
import { ALLOWED_ORIGIN, SECRET_IN_ERROR } from './fixture.js';
import { formScenarios } from './form-scenarios.js';
import { jsonScenarios } from './json-scenarios.js';
import { pathScenarios } from './path-scenarios.js';
import { principalScenarios } from './principal-scenarios.js';
import { rateLimitScenarios } from './ratelimit-scenarios.js';
import type { AdapterScenario } from './scenario.js';
import { serverScenarios } from './server-scenarios.js';
import { statusScenarios } from './status-scenarios.js';
import { validationScenarios } from './validation-scenarios.js';

function expectNoCorsGrant(res: ProbeResponse): void {
  for (const name of Object.keys(res.headers)) {
    if (name.startsWith('access-control-allow-')) expect.fail(`unexpected ${name}: ${res.header(name)}`);
  }
}

const preflight = (origin: string, method: string, requestHeaders?: string): Record<string, string> => ({
  origin,
  'access-control-request-method': method,
  ...(requestHeaders === undefined ? {} : { 'access-control-request-headers': requestHeaders }),
});

const LOOK_ALIKES = [
  'https://app.example.com.evil.net',
  'https://evilapp.example.com',
  'http://app.example.com',
  'https://app.example.com:8443',
  'https://preview.example.com',
  'https://x.preview.example.com.evil.net',
  'null',
];

/** The foundation scenarios: CORS, header profile, deprecation, versions, problems. */
const foundationScenarios: readonly AdapterScenario[] = [
  {
    name: 'CORS: an allowed origin gets its grant, credentials, exposed headers and Vary',
    request: { method: 'GET', path: '/v2/notes', headers: { origin: ALLOWED_ORIGIN } },
    check(res) {
      expect(res.status).toBe(200);
      expect(res.header('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
      expect(res.header('access-control-allow-credentials')).toBe('true');
      expect(res.header('access-control-expose-headers')).toBe('x-request-id');
      expect(varyTokens(res)).toContain('origin');
    },
  },
  {
    name: 'CORS: a wildcard subdomain pattern matches a deeper subdomain',
    request: { method: 'GET', path: '/v2/notes', headers: { origin: 'https://pr-42.preview.example.com' } },
    check(res) {
      expect(res.header('access-control-allow-origin')).toBe('https://pr-42.preview.example.com');
    },
  },
  ...LOOK_ALIKES.map(
    (origin): AdapterScenario => ({
      name: `CORS: the look-alike origin ${origin} gets no grant but Vary: Origin`,
      request: { method: 'GET', path: '/v2/notes', headers: { origin } },
      check(res) {
        expect(res.status).toBe(200);
        expectNoCorsGrant(res);
        expect(varyTokens(res)).toContain('origin');
      },
    }),
  ),
  {
    name: 'CORS: a request without Origin still carries Vary: Origin',
    request: { method: 'GET', path: '/v2/notes' },
    check(res) {
      expect(res.status).toBe(200);
      expectNoCorsGrant(res);
      expect(varyTokens(res)).toContain('origin');
    },
  },
  {
    name: 'CORS: an allowed preflight is answered 204 with exactly what was asked',
    request: {
      method: 'OPTIONS',
      path: '/v2/notes',
      headers: preflight(ALLOWED_ORIGIN, 'POST', 'content-type,x-request-id'),
    },
    check(res) {
      expect(res.status).toBe(204);
      expect(res.header('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
      expect(res.header('access-control-allow-methods')).toBe('POST');
      expect(res.header('access-control-allow-headers')).toBe('content-type,x-request-id');
      expect(res.header('access-control-allow-credentials')).toBe('true');
      expect(res.header('access-control-max-age')).toBe('600');
      expect(varyTokens(res)).toEqual(
        expect.arrayContaining(['origin', 'access-control-request-method', 'access-control-request-headers']),
      );
      expect(res.text).toBe('');
      expectProfile(res);
    },
  },
  {
    name: 'CORS: a preflight on a path without an OPTIONS route is still answered',
    request: { method: 'OPTIONS', path: '/v2/notes/42', headers: preflight(ALLOWED_ORIGIN, 'DELETE') },
    check(res) {
      expect(res.status).toBe(204);
      expect(res.header('access-control-allow-methods')).toBe('DELETE');
    },
  },
  ...(
    [
      ['an unknown origin', preflight('https://evil.example', 'POST')],
      ['a method outside the allowlist', preflight(ALLOWED_ORIGIN, 'PUT')],
      ['Authorization, which is never reflected', preflight(ALLOWED_ORIGIN, 'GET', 'authorization')],
      ['a malformed header list', preflight(ALLOWED_ORIGIN, 'POST', 'content-type x-request-id')],
    ] as const
  ).map(
    ([what, headers]): AdapterScenario => ({
      name: `CORS: a preflight with ${what} is refused 403 without Access-Control-Allow-*`,
      request: { method: 'OPTIONS', path: '/v2/notes', headers },
      check(res) {
        expectProblem(res, 403, 'cors_preflight_rejected');
        expectNoCorsGrant(res);
        expect(varyTokens(res)).toContain('origin');
        expectProfile(res);
      },
    }),
  ),
  {
    name: 'Headers: the profile and no-store on a normal answer, no X-Powered-By',
    request: { method: 'GET', path: '/v2/notes' },
    check(res) {
      expect(res.status).toBe(200);
      expectProfile(res);
      expect(res.header('cache-control')).toBe('no-store');
    },
  },
  {
    name: 'Headers: the profile on /health too',
    request: { method: 'GET', path: '/health' },
    check(res) {
      expect(res.status).toBe(200);
      expect(res.json()).toEqual({ status: 'ok' });
      expectProfile(res);
    },
  },
  {
    name: 'Deprecation: v1 answers carry Deprecation, Sunset and Link',
    request: { method: 'GET', path: '/v1/notes' },
    check(res) {
      expect(res.status).toBe(200);
      expect(res.header('deprecation')).toBe('@1767225600');
      expect(res.header('sunset')).toBe('Wed, 30 Jun 2027 00:00:00 GMT');
      const link = res.header('link') ?? '';
      expect(link).toContain('<https://docs.example.com/v1-deprecation>; rel="deprecation"');
      expect(link).toContain('</v2/notes>; rel="successor-version"');
      expectProfile(res);
    },
  },
  {
    name: 'Deprecation: v2 answers carry none of it',
    request: { method: 'GET', path: '/v2/notes' },
    check(res) {
      expect(res.header('deprecation')).toBeUndefined();
      expect(res.header('sunset')).toBeUndefined();
    },
  },
  {
    name: 'Versions: the negotiated version reaches the handler',
    request: { method: 'GET', path: '/v2/notes', headers: { 'accept-version': '2' } },
    check(res) {
      expect(res.status).toBe(200);
      expect(res.json()).toMatchObject({ apiVersion: 'v2' });
    },
  },
  {
    name: 'Versions: an unknown version in the path is 406 listing the supported ones',
    request: { method: 'GET', path: '/v3/notes' },
    check(res) {
      const body = expectProblem(res, 406, 'unsupported_api_version');
      expect(body.supportedVersions).toEqual(['v1', 'v2']);
      expectProfile(res);
    },
  },
  {
    name: 'Versions: a version header that contradicts the path is 406',
    request: { method: 'GET', path: '/v2/notes', headers: { 'accept-version': 'v1' } },
    check(res) {
      expectProblem(res, 406, 'unsupported_api_version');
    },
  },
  {
    name: 'Problems: an unknown route is 404 problem+json with the profile and CORS grant',
    request: { method: 'GET', path: '/v2/nowhere/secret-token-123', headers: { origin: ALLOWED_ORIGIN } },
    check(res) {
      expectProblem(res, 404, 'not_found');
      expect(res.text).not.toContain('secret-token-123');
      expectProfile(res);
      expect(res.header('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
      expect(res.header('cache-control')).toBe('no-store');
    },
  },
  {
    name: 'Problems: a HEAD request keeps the status of its denial (406, 404), with no body',
    async run(send) {
      for (const [path, status] of [
        ['/v3/notes', 406],
        ['/v2/nowhere', 404],
      ] as const) {
        const res = await send({ method: 'HEAD', path });
        expect(res.status, path).toBe(status);
        expect(res.text).toBe('');
        expectProfile(res);
      }
    },
  },
  {
    name: 'Problems: a thrown error is 500 problem+json without stack, message or secret',
    request: { method: 'GET', path: '/v2/boom', headers: { origin: ALLOWED_ORIGIN } },
    check(res) {
      expectProblem(res, 500, 'internal_error');
      expect(res.text).not.toContain(SECRET_IN_ERROR);
      expect(res.text).not.toContain('connection failed');
      expectProfile(res);
      expect(res.header('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
    },
  },
  {
    // Express and Fastify refuse such a URL, Koa's and Hono's routers would pass the raw
    // segment on: the request-target rule refuses it on all four (core's requestTargetPath).
    name: 'Problems: a path that does not percent-decode is 400 problem+json with the profile on every framework',
    request: { method: 'GET', path: '/v2/notes/%E0%A4%A' },
    check(res) {
      expectProblem(res, 400, 'bad_request');
      expectProfile(res);
    },
  },
  {
    name: 'Problems: a request Node refuses to parse (bad Content-Length) is 400 problem+json',
    request: {
      method: 'POST',
      path: '/v2/notes',
      headers: { 'content-type': 'application/json', 'content-length': 'abc' },
      body: '{}',
    },
    check(res) {
      expectProblem(res, 400, 'bad_request');
    },
  },
  {
    name: 'Routing: path parameters reach the handler',
    request: { method: 'GET', path: '/v2/notes/abc' },
    check(res) {
      expect(res.status).toBe(200);
      expect(res.json()).toEqual({ id: 'abc' });
    },
  },
];

/** The adapter conformance scenarios. Later packages append theirs here. */
export const adapterScenarios: readonly AdapterScenario[] = [
  ...foundationScenarios,
  ...corsScenarios,
  ...validationScenarios,
  ...formScenarios,
  ...rateLimitScenarios,
  ...principalScenarios,
  ...pathScenarios,
  ...serverScenarios,
  ...statusScenarios,
  ...jsonScenarios,
  ...bodyScenarios,
];

export type { AdapterScenario };
