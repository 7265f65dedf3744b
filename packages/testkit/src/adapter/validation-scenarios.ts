import { expect } from 'vitest';
import type { ProbeResponse } from '../http-client.js';
import { expectProblem, expectProfile } from './expect.js';
import type { AdapterScenario } from './scenario.js';
import { CONFORMANCE_BODY_LIMIT, validationEvents } from './validation-fixture.js';

const JSON_TYPE = { 'content-type': 'application/json' };

function expectErrors(res: ProbeResponse, status: number, pointers: string[]): void {
  const body = expectProblem(res, status, status === 422 ? 'validation_failed' : 'bad_request');
  const errors = body.errors as Array<{ pointer: string; detail: string }>;
  expect(errors.map((e) => e.pointer).sort()).toEqual([...pointers].sort());
  for (const error of errors) expect(typeof error.detail).toBe('string');
}

const OVERSIZED = JSON.stringify({ title: 'x', body: 'y'.repeat(CONFORMANCE_BODY_LIMIT) });

const post = (body: string | Uint8Array, headers: Record<string, string> = JSON_TYPE) => ({
  method: 'POST',
  path: '/v2/notes',
  headers,
  body,
});

/** Validation scenarios: the same answers on every framework. */
export const validationScenarios: readonly AdapterScenario[] = [
  {
    name: 'Validation: a valid body reaches the handler typed, and the output schema drops internal fields',
    request: post(JSON.stringify({ title: 'Hello', tags: ['a'] })),
    check(res) {
      expect(res.status).toBe(201);
      expect(res.json()).toEqual({ id: 'n1', title: 'Hello', tags: ['a'] });
      expect(res.text).not.toContain('owner-secret-42');
      expect(res.text).not.toContain('argon2id');
      expectProfile(res);
    },
  },
  {
    name: 'Validation: a wrong content type is 415 listing the accepted types',
    request: post('{"title":"x"}', { 'content-type': 'text/plain' }),
    check(res) {
      const body = expectProblem(res, 415, 'unsupported_media_type');
      expect(body.accepted).toEqual(['application/json']);
    },
  },
  {
    name: 'Validation: a body without a content type is 415',
    request: post('{"title":"x"}', {}),
    check(res) {
      expectProblem(res, 415, 'unsupported_media_type');
    },
  },
  {
    name: 'Validation: a compressed body is 415 with Accept-Encoding: identity, not a JSON error',
    request: post(
      new Uint8Array([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xab, 0xae, 0x05, 0x00]),
      { ...JSON_TYPE, 'content-encoding': 'gzip' },
    ),
    check(res) {
      expectProblem(res, 415, 'unsupported_media_type');
      expect(res.header('accept-encoding')).toBe('identity');
    },
  },
  {
    name: 'Validation: JSON with charset=utf-8 is accepted',
    request: post('{"title":"x"}', { 'content-type': 'application/json; charset=utf-8' }),
    check(res) {
      expect(res.status).toBe(201);
    },
  },
  {
    name: 'Validation: a body over the limit with Content-Length is 413 before reading',
    request: post(OVERSIZED, { ...JSON_TYPE, 'content-length': String(OVERSIZED.length) }),
    check(res) {
      expectProblem(res, 413, 'payload_too_large');
      expectProfile(res);
    },
  },
  {
    name: 'Validation: a chunked body over the limit without Content-Length is 413 and closes the connection',
    async run(send) {
      const before = validationEvents.length;
      // keep-alive asked for explicitly: the probe client otherwise asks to close.
      const res = await send(
        post(JSON.stringify({ title: 'x', body: 'y'.repeat(CONFORMANCE_BODY_LIMIT * 2) }), {
          ...JSON_TYPE,
          connection: 'keep-alive',
        }),
      );
      expectProblem(res, 413, 'payload_too_large');
      // The rest of the body is never read: the connection cannot be reused.
      expect(res.headers.connection).toBe('close');
      expectProfile(res);
      // Whoever cut the body off (Bulwark's reader, or Fastify's own bodyLimit), the
      // denial is reported like every other validation failure.
      expect(validationEvents.slice(before)).toEqual([
        expect.objectContaining({ type: 'validation.failed', target: 'size', status: 413 }),
      ]);
    },
  },
  {
    name: 'Validation: malformed JSON is 400',
    request: post('{"title":'),
    check(res) {
      expectProblem(res, 400, 'bad_request');
    },
  },
  {
    name: 'Validation: invalid UTF-8 is 400',
    request: post(Uint8Array.from([0x7b, 0x22, 0x74, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d])),
    check(res) {
      expectProblem(res, 400, 'bad_request');
    },
  },
  {
    name: 'Validation: __proto__ in the body is 400',
    request: post('{"title":"x","__proto__":{"isAdmin":true}}'),
    check(res) {
      expectProblem(res, 400, 'bad_request');
    },
  },
  {
    name: 'Validation: nesting deeper than the limit is 400',
    request: post(`{"title":"x","tags":${'['.repeat(100)}${']'.repeat(100)}}`),
    check(res) {
      expectProblem(res, 400, 'bad_request');
    },
  },
  {
    name: 'Validation: schema errors are 422 with pointers (unknown, missing, wrong type, too long), values not echoed',
    request: post(JSON.stringify({ role: 'admin-role-value', body: 42, tags: ['t'.repeat(40)] })),
    check(res) {
      expectErrors(res, 422, ['/role', '/title', '/body', '/tags/0']);
      expect(res.text).not.toContain('admin-role-value');
      expect(res.text).not.toContain('tttttttttt');
    },
  },
  {
    name: 'Validation: query values are coerced and repeated array keys kept',
    request: { method: 'GET', path: '/v2/search?limit=5&active=true&tag=a&tag=b' },
    check(res) {
      expect(res.status).toBe(200);
      expect(res.json()).toEqual({ query: { limit: 5, active: true, tag: ['a', 'b'] } });
    },
  },
  {
    name: 'Validation: declared cookies are parsed and validated the same everywhere',
    request: { method: 'GET', path: '/v2/search', headers: { cookie: 'other=1; theme=dark; theme=light' } },
    check(res) {
      expect(res.status).toBe(200);
      expect(res.json()).toEqual({ query: { limit: 20 }, theme: 'dark' });
    },
  },
  {
    name: 'Validation: an invalid cookie is 400 with a pointer in cookies',
    request: { method: 'GET', path: '/v2/search', headers: { cookie: 'theme=<script>' } },
    check(res) {
      const body = expectProblem(res, 400, 'bad_request');
      expect(body.errors).toEqual([expect.objectContaining({ pointer: '/theme', in: 'cookies' })]);
      expect(res.text).not.toContain('<script>');
    },
  },
  {
    name: 'Validation: the pagination default applies',
    request: { method: 'GET', path: '/v2/search' },
    check(res) {
      expect(res.json()).toEqual({ query: { limit: 20 } });
    },
  },
  ...['limit=1000', 'limit=ten', 'limit=1&limit=2', 'admin=true', 'q=%E0%A4%A'].map(
    (query): AdapterScenario => ({
      name: `Validation: the query ${query} is 400`,
      request: { method: 'GET', path: `/v2/search?${query}` },
      check(res) {
        expectProblem(res, 400, 'bad_request');
      },
    }),
  ),
];
