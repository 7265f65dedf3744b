import { REQUEST_TARGET_REFUSED_DETAIL } from '@bulwark/core';
import { expect } from 'vitest';
import type { ProbeResponse } from '../http-client.js';
import { expectProblem, expectProfile } from './expect.js';
import type { AdapterScenario } from './scenario.js';

const sized = (contentType: string, body: string) => ({
  // An explicit Content-Length: node:http sends a DELETE body unframed otherwise.
  headers: { 'content-type': contentType, 'content-length': String(Buffer.byteLength(body)) },
  body,
});

const BODIES: ReadonlyArray<readonly [string, string, string]> = [
  ['invalid JSON', 'application/json', '{"title":'],
  ['a type no parser knows', 'application/xml', '<note/>'],
  ['JSON over a framework parser limit (1 MB)', 'application/json', JSON.stringify({ x: 'y'.repeat(1_200_000) })],
];

/** The problem, the whole profile, no-store and a closed connection. */
function expectRefused(res: ProbeResponse, status: number, code: string): void {
  expectProblem(res, status, code);
  expectProfile(res);
  expect(res.header('cache-control')).toBe('no-store');
  expect(res.header('connection')).toBe('close');
}

const RAW_REFUSALS: ReadonlyArray<readonly [string, string, number, string]> = [
  ['an HTTP/1.1 request without Host', 'GET /health HTTP/1.1\r\nConnection: close', 400, 'bad_request'],
  ['an HTTP/1.0 request without Host', 'GET /health HTTP/1.0', 400, 'bad_request'],
  ['Host: a b', 'GET /health HTTP/1.1\r\nHost: a b\r\nConnection: close', 400, 'bad_request'],
  ['two Host fields', 'GET /health HTTP/1.1\r\nHost: a\r\nHost: b\r\nConnection: close', 400, 'bad_request'],
  ['a malformed request line', 'GET  /health HTTP/1.1 x\r\nHost: a', 400, 'bad_request'],
  ['an invalid Content-Length', 'POST /v2/pings HTTP/1.1\r\nHost: a\r\nContent-Length: 1x', 400, 'bad_request'],
  [
    'header fields over the limit',
    `GET /health HTTP/1.1\r\nHost: a\r\nX-Big: ${'a'.repeat(20_000)}`,
    431,
    'headers_too_large',
  ],
];

/**
 * Requests refused before the framework (Node's parser, the Host check, Hono's node
 * server): problem+json with the whole header profile, never a bare answer. A backslash
 * path and `OPTIONS *` are refused with the same 400 everywhere (by the guards' request-target
 * rule, on Hono by its node server through `nodeServerErrors`).
 */
export const refusedBeforeFrameworkScenarios: readonly AdapterScenario[] = [
  ...RAW_REFUSALS.map(([what, head, status, code]) => ({
    name: `Before the framework: ${what} is ${status} problem+json with the profile`,
    raw: `${head}\r\n\r\n`,
    check: (res: ProbeResponse) => expectRefused(res, status, code),
  })),
  ...[
    ['a backslash path', 'GET /v2\\notes HTTP/1.1\r\nHost: a\r\nConnection: close'],
    ['OPTIONS *', 'OPTIONS * HTTP/1.1\r\nHost: a\r\nConnection: close'],
  ].map(([what, head]) => ({
    name: `Before the framework: ${what} is 400 problem+json with the profile, the request-target refusal`,
    raw: `${head}\r\n\r\n`,
    check(res: ProbeResponse) {
      const body = expectProblem(res, 400, 'bad_request');
      expect(body.detail).toBe(REQUEST_TARGET_REFUSED_DETAIL);
      expectProfile(res);
    },
  })),
  {
    name: 'Before the framework: a valid Host (an IPv6 literal with a port) is served',
    raw: 'GET /health HTTP/1.1\r\nHost: [::1]:3000\r\nConnection: close\r\n\r\n',
    check(res: ProbeResponse) {
      expect(res.status).toBe(200);
      expectProfile(res);
    },
  },
];

/**
 * Only `validate()` reads bodies: a route without it answers the same whatever body comes
 * (Fastify's own parsers used to turn these into 400, 415 and 413 on Fastify alone).
 */
const bodyScenarios: readonly AdapterScenario[] = BODIES.flatMap(([what, type, body]) => [
  {
    name: `Bodies: a POST route without validate() ignores ${what}`,
    request: { method: 'POST', path: '/v2/pings', ...sized(type, body) },
    check(res) {
      expect(res.status).toBe(200);
      expect(res.json()).toEqual({ pong: true });
      expectProfile(res);
    },
  },
  {
    name: `Bodies: a DELETE route without validate() ignores ${what}`,
    request: { method: 'DELETE', path: '/v2/pings/7', ...sized(type, body) },
    check(res) {
      expect(res.status).toBe(200);
      expect(res.json()).toEqual({ deleted: '7' });
    },
  },
]);

/** The scenarios of this file, in the list every framework runs. */
export const serverScenarios: readonly AdapterScenario[] = [...refusedBeforeFrameworkScenarios, ...bodyScenarios];
