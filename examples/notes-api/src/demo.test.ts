import {
  comparableAnswer,
  expectIdenticalAnswers,
  expectProblem,
  expectProfile,
  type ProbeRequest,
  type ProbeResponse,
  sendProbe,
  sendRaw,
} from '@bulwark/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Listening } from './apps/types.js';
import { FRAMEWORKS, readConfig } from './config.js';
import type { RunningDemo } from './server.js';
import { client, type DemoUser, json, startTestDemo, UI } from './test-helpers.js';

describe.each(FRAMEWORKS)('notes-api demo on %s', (framework) => {
  let server: RunningDemo;
  let c: ReturnType<typeof client>;
  let alice: Record<string, string>;
  beforeAll(async () => {
    server = await startTestDemo(framework);
    c = client(server);
    alice = c.bearer(await c.tokenOf('alice'));
  });
  afterAll(() => server?.close());
  const send = (method: string, path: string, headers: Record<string, string> = {}, body?: string) =>
    c.send(method, path, { ...alice, ...headers }, body);

  it('answers /health with the profile, without a credential or a rate limit', async () => {
    const res = await c.send('GET', '/health');
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
    expect(res.header('ratelimit')).toBeUndefined();
    expectProfile(res);
  });

  it('creates, lists and reads notes under v2 with no-store', async () => {
    const created = await send('POST', '/v2/notes', json, JSON.stringify({ title: 'First', tags: ['a'] }));
    expect(created.status).toBe(201);
    const note = created.json() as { id: string; title: string };
    expect(note).toMatchObject({ title: 'First', tags: ['a'], body: '' });
    expect(note.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(created.text).not.toContain('ownerId');
    const list = await send('GET', '/v2/notes?limit=100', { origin: UI });
    expect(list.status).toBe(200);
    expect(list.header('cache-control')).toBe('no-store');
    expect(list.header('access-control-allow-origin')).toBe(UI);
    expect((list.json() as { notes: unknown[] }).notes).toContainEqual(note);
    expect(list.text).not.toContain('ownerId');
    const one = await send('GET', `/v2/notes/${note.id}`);
    expect(one.json()).toEqual(note);
    expectProblem(await send('GET', '/v2/notes/6f1c1f5e-7d43-4c38-9a52-0e6a3f0f1b2c'), 404, 'not_found');
    expectProblem(await send('GET', '/v2/notes/abc'), 400, 'bad_request');
    expectProblem(await send('GET', '/v2/notes/1'), 400, 'bad_request');
  });

  it('pages through notes with an opaque cursor and bounds the limit', async () => {
    for (let i = 0; i < 3; i++) await send('POST', '/v2/notes', json, JSON.stringify({ title: `n${i}` }));
    const first = (await send('GET', '/v2/notes?limit=2')).json() as {
      notes: Array<{ id: string }>;
      nextCursor?: string;
    };
    expect(first.notes).toHaveLength(2);
    expect(first.nextCursor).toMatch(/^[A-Za-z0-9_-]+$/);
    const second = (await send('GET', `/v2/notes?limit=2&cursor=${first.nextCursor}`)).json() as {
      notes: Array<{ id: string }>;
    };
    expect(second.notes[0]?.id).not.toBe(first.notes[0]?.id);
    expect((await send('GET', '/v2/notes')).json()).toMatchObject({ notes: expect.any(Array) });
    expectProblem(await send('GET', '/v2/notes?limit=0'), 400, 'bad_request');
    expectProblem(await send('GET', '/v2/notes?limit=101'), 400, 'bad_request');
    expectProblem(await send('GET', '/v2/notes?cursor=AAAA'), 400, 'bad_request');
  });

  it('marks v1 deprecated, behind authentication', async () => {
    const res = await send('GET', '/v1/notes');
    expect(res.status).toBe(200);
    expect(res.header('deprecation')).toBe('@1780272000');
    expect(res.header('sunset')).toBe('Wed, 30 Jun 2027 00:00:00 GMT');
    expect(res.header('link')).toContain('rel="successor-version"');
    expect(res.header('link')).toContain('rel="deprecation"');
    expectProblem(await c.send('GET', '/v1/notes'), 401, 'unauthenticated');
  });

  it('refuses bad bodies with problem+json', async () => {
    expectProblem(
      await send('POST', '/v2/notes', { 'content-type': 'text/plain' }, '{"title":"x"}'),
      415,
      'unsupported_media_type',
    );
    expectProblem(await send('POST', '/v2/notes', {}, '{"title":"x"}'), 415, 'unsupported_media_type');
    expectProblem(await send('POST', '/v2/notes', json, '{"title":'), 400, 'bad_request');
    const invalid = expectProblem(
      await send('POST', '/v2/notes', json, '{"title":"","role":"admin"}'),
      422,
      'validation_failed',
    );
    expect(invalid.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ pointer: '/role' }),
        expect.objectContaining({ pointer: '/title' }),
      ]),
    );
    const big = JSON.stringify({ title: 'x', body: 'y'.repeat(200 * 1024) });
    const tooLarge = await send('POST', '/v2/notes', json, big);
    expectProblem(tooLarge, 413, 'payload_too_large');
    expectProfile(tooLarge);
  });

  it('answers 404 and 406 as problems with the profile', async () => {
    const missing = await c.send('GET', '/nope');
    expectProblem(missing, 404, 'not_found');
    expectProfile(missing);
    const version = expectProblem(await c.send('GET', '/v3/notes'), 406, 'unsupported_api_version');
    expect(version.supportedVersions).toEqual(['v1', 'v2']);
  });

  it('answers 405 with Allow for a method a known path does not serve', async () => {
    const id = '/v2/notes/6f1c1f5e-7d43-4c38-9a52-0e6a3f0f1b2c';
    for (const [method, path, allow] of [
      ['DELETE', '/v2/notes', 'GET, HEAD, POST, OPTIONS'],
      ['PUT', id, 'GET, HEAD, PATCH, DELETE, OPTIONS'],
      ['POST', id, 'GET, HEAD, PATCH, DELETE, OPTIONS'],
      ['GET', '/v2/reports', 'POST, OPTIONS'],
      ['GET', '/auth/login', 'POST, OPTIONS'],
      ['GET', '/auth/refresh', 'POST, OPTIONS'],
      ['GET', '/oauth/token', 'POST, OPTIONS'],
      ['PUT', '/oauth/authorize', 'GET, HEAD, POST, OPTIONS'],
      ['POST', '/.well-known/oauth-authorization-server', 'GET, HEAD, OPTIONS'],
      ['TRACE', '/health', 'GET, HEAD, OPTIONS'],
    ] as const) {
      const refused = await c.send(method, path);
      expectProblem(refused, 405, 'method_not_allowed');
      expect(refused.header('allow')).toBe(allow);
      expectProfile(refused);
    }
    const head = await c.send('HEAD', '/v2/reports');
    expect(head.status).toBe(405);
    expect(head.header('allow')).toBe('POST, OPTIONS');
    expect(head.text).toBe('');
    // A plain OPTIONS (no CORS preflight) is answered with the list itself.
    const options = await c.send('OPTIONS', id);
    expect(options.status).toBe(204);
    expect(options.header('allow')).toBe('GET, HEAD, PATCH, DELETE, OPTIONS');
    expect(options.text).toBe('');
    // A path that does not exist is still 404, whatever the method.
    expectProblem(await c.send('DELETE', '/v2/nope'), 404, 'not_found');
  });

  it('answers CORS preflights from the configured UI only, before authentication', async () => {
    const ok = await c.send('OPTIONS', '/v2/notes', {
      origin: UI,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type, authorization',
    });
    expect(ok.status).toBe(204);
    expect(ok.header('access-control-allow-origin')).toBe(UI);
    expect(ok.header('access-control-allow-headers')).toContain('authorization');
    const evil = await c.send('OPTIONS', '/v2/notes', {
      origin: 'https://evil.example',
      'access-control-request-method': 'POST',
    });
    expectProblem(evil, 403, 'cors_preflight_rejected');
    expect(evil.header('access-control-allow-origin')).toBeUndefined();
    // A refusal carries the CORS grant, so the page can read its problem.
    const refused = await c.send('GET', '/v2/notes', { origin: UI });
    expect(refused.status).toBe(401);
    expect(refused.header('access-control-allow-origin')).toBe(UI);
  });
});

// Requests refused before any framework runs (Node's parser, the Host check, Hono's node
// server) and bodies on routes that do not validate: the same answers on all four.
describe.each(FRAMEWORKS)('notes-api demo on %s: answers outside the routes', (framework) => {
  let server: Listening;
  let token: string;
  beforeAll(async () => {
    server = await startTestDemo(framework);
    token = await client(server).tokenOf('alice');
  });
  afterAll(() => server?.close());
  const raw = (head: string) => sendRaw(server.url, `${head}\r\n\r\n`);

  it.each([
    ['no Host (HTTP/1.1)', 'GET /health HTTP/1.1\r\nConnection: close', 400, 'bad_request'],
    ['Host: a b', 'GET /health HTTP/1.1\r\nHost: a b\r\nConnection: close', 400, 'bad_request'],
    ['two Host fields', 'GET /health HTTP/1.1\r\nHost: a\r\nHost: b\r\nConnection: close', 400, 'bad_request'],
    ['a malformed request line', 'GET  /health HTTP/1.1 x\r\nHost: a', 400, 'bad_request'],
    // RFC 9112 §6.3: the body's length cannot be known; Express and Fastify ran the route.
    [
      'a Transfer-Encoding not ending in chunked',
      'POST /v2/notes HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\nConnection: close',
      400,
      'bad_request',
    ],
    [
      'chunked applied twice',
      'POST /auth/login HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\nConnection: close',
      400,
      'bad_request',
    ],
    // Node answered these itself: a bare 417, and CONNECT no byte at all.
    ['an Expect other than 100-continue', 'GET /health HTTP/1.1\r\nHost: a\r\nExpect: foo', 417, 'expectation_failed'],
    ['CONNECT', 'CONNECT 127.0.0.1:1 HTTP/1.1\r\nHost: 127.0.0.1:1', 400, 'bad_request'],
    [
      'oversized header fields',
      `GET /health HTTP/1.1\r\nHost: a\r\nX-Big: ${'a'.repeat(20_000)}`,
      431,
      'headers_too_large',
    ],
  ] as const)('refuses %s with problem+json and the whole profile', async (_what, head, status, code) => {
    const res = await raw(head);
    expectProblem(res, status, code);
    expectProfile(res);
    expect(res.header('cache-control')).toBe('no-store');
    expect(res.header('connection')).toBe('close');
  });

  it('serves a valid Host, and refuses HTTP/1.0 without one as Hono must', async () => {
    const ok = await raw('GET /health HTTP/1.1\r\nHost: [::1]:3000\r\nConnection: close');
    expect(ok.status).toBe(200);
    expectProfile(ok);
    const old = await raw('GET /health HTTP/1.0');
    expectProblem(old, 400, 'bad_request');
    expectProfile(old);
  });

  it.each([
    ['a backslash path', 'GET /v2\\notes HTTP/1.1\r\nHost: a\r\nConnection: close'],
    ['OPTIONS *', 'OPTIONS * HTTP/1.1\r\nHost: a\r\nConnection: close'],
  ])('answers %s with problem+json and the whole profile', async (_what, head) => {
    // Hono's node server refuses these itself, the guards on the other three (requestTargetPath).
    const res = await raw(head);
    expectProblem(res, 400, 'bad_request');
    expectProfile(res);
  });

  const invalidJson = { 'content-type': 'application/json' };
  const expectAllow = (res: ProbeResponse, status: number, allow: string) => {
    expect(res.status).toBe(status);
    expect(res.header('allow')).toBe(allow);
    expectProfile(res);
  };

  it('never reads a body on a route that does not validate it', async () => {
    // An explicit Content-Length: node:http sends a DELETE or OPTIONS body unframed otherwise.
    const send = (method: string, path: string, headers: Record<string, string>, body: string) =>
      sendProbe(server.url, {
        method,
        path,
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        body,
      });
    const notes = 'GET, HEAD, POST, OPTIONS';
    expectAllow(await send('DELETE', '/v2/notes', invalidJson, '{"title":'), 405, notes);
    expectAllow(await send('DELETE', '/v2/notes', { 'content-type': 'application/xml' }, '<x/>'), 405, notes);
    expectAllow(await send('OPTIONS', '/v2/notes', invalidJson, '{"title":'), 204, notes);
    // Over Fastify's own 1 MB parser limit: still the 405, never a 413 from a parser.
    const big = JSON.stringify({ title: 'x'.repeat(1_200_000) });
    expectAllow(await send('PUT', '/health', invalidJson, big), 405, 'GET, HEAD, OPTIONS');
    // The validated route still reads and refuses it (once authenticated).
    expectProblem(
      await send('POST', '/v2/notes', { ...invalidJson, authorization: `Bearer ${token}` }, '{"title":'),
      400,
      'bad_request',
    );
  });

  it('answers a method only WebDAV knows with 405 and Allow, like any other', async () => {
    for (const method of ['PROPFIND', 'MKCOL', 'REPORT']) {
      const res = await sendProbe(server.url, { method, path: '/v2/notes' });
      expectProblem(res, 405, 'method_not_allowed');
      expectAllow(res, 405, 'GET, HEAD, POST, OPTIONS');
    }
    expectProblem(await sendProbe(server.url, { method: 'PROPFIND', path: '/nope' }), 404, 'not_found');
  });
});

/**
 * The same requests, in the same order, to a fresh demo on each framework: the answers
 * must be byte-identical (status, every header field but Date and the connection fields,
 * body). Each step is sent to all four before the next, and state (notes, rate limits)
 * evolves the same way on each. `as` sends the step with that user's token (each server
 * has its own keys, so its own tokens); the steps avoid answers that carry random ids.
 */
type Step = ProbeRequest & { readonly as?: DemoUser };
const NOTE_ID = '/v2/notes/6f1c1f5e-7d43-4c38-9a52-0e6a3f0f1b2c';
const IDENTICAL_STEPS: readonly Step[] = [
  { method: 'GET', path: '/health' },
  {
    method: 'OPTIONS',
    path: '/v2/notes',
    headers: { origin: UI, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
  },
  {
    method: 'OPTIONS',
    path: '/v2/notes',
    headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
  },
  { method: 'OPTIONS', path: NOTE_ID },
  { method: 'GET', path: '/v2/notes', headers: { origin: UI } },
  { method: 'GET', path: '/v2/notes', headers: { authorization: 'Basic YTpi' } },
  { method: 'GET', path: '/v2/notes', headers: { authorization: 'Bearer' } },
  { method: 'GET', path: '/v2/notes', headers: { authorization: 'Bearer not.a.token' } },
  {
    method: 'POST',
    path: '/auth/login',
    headers: json,
    body: JSON.stringify({ email: 'alice@example.com', password: 'wrong-password' }),
  },
  {
    method: 'POST',
    path: '/auth/login',
    headers: json,
    body: JSON.stringify({ email: 'nobody@example.com', password: 'wrong-password' }),
  },
  { method: 'POST', path: '/auth/login', headers: json, body: '{"email":"alice@example.com"}' },
  { method: 'GET', path: '/v2/notes?limit=10', headers: { origin: UI }, as: 'alice' },
  { method: 'GET', path: NOTE_ID, as: 'alice' },
  { method: 'HEAD', path: '/v2/notes?limit=10', as: 'alice' },
  // A route's own 404 to HEAD (its Content-Length is the note's problem, not "no route").
  { method: 'HEAD', path: NOTE_ID, as: 'alice' },
  { method: 'GET', path: '/v2/notes/1', as: 'alice' },
  { method: 'POST', path: '/v2/notes', headers: json, body: '{"title":"x"}', as: 'bob' },
  { method: 'GET', path: '/admin/users', as: 'alice' },
  { method: 'GET', path: '/nope', headers: { origin: UI } },
  { method: 'HEAD', path: '/nope' },
  { method: 'DELETE', path: '/v2/notes' },
  { method: 'HEAD', path: '/v2/reports' },
  { method: 'GET', path: '/v3/notes' },
  { method: 'GET', path: '/v1/notes', as: 'alice' },
  {
    method: 'POST',
    path: '/v2/notes',
    headers: { 'content-type': 'text/plain' },
    body: '{"title":"x"}',
    as: 'alice',
  },
  { method: 'POST', path: '/v2/notes', headers: json, body: '{"title":', as: 'alice' },
  { method: 'POST', path: '/v2/notes', headers: json, body: '{"title":"","role":"admin"}', as: 'alice' },
  {
    method: 'POST',
    path: '/v2/notes',
    headers: json,
    body: JSON.stringify({ title: 'x', body: 'y'.repeat(200 * 1024) }),
    as: 'alice',
  },
  { method: 'GET', path: '/v2/users?email=nobody@example.com', as: 'alice' },
  { method: 'GET', path: '/v2/users?email=nope', as: 'alice' },
  ...Array.from(
    { length: 6 },
    (): Step => ({
      method: 'POST',
      path: '/v2/reports',
      headers: json,
      body: JSON.stringify({ kind: 'notes-summary' }),
      as: 'alice',
    }),
  ),
];

/** The demo's answers agree on field order too (Hono's included, since 2026-12-07): compared as sent. */
const SENT_ORDER = { order: 'sent' } as const;

const UUID = /"id":"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"/g;

/** The answer with each random id (a report's, a note's) as a placeholder: the ids are random by design. */
function withoutRandomIds(answer: ReturnType<typeof comparableAnswer>): ReturnType<typeof comparableAnswer> {
  return { ...answer, body: answer.body.replace(UUID, '"id":"<uuid>"') };
}

describe('notes-api demo: the four frameworks answer byte-identically', () => {
  const servers: Array<{ server: RunningDemo; tokens: Partial<Record<DemoUser, string>> }> = [];
  beforeAll(async () => {
    for (const framework of FRAMEWORKS) {
      const server = await startTestDemo(framework);
      const c = client(server);
      servers.push({ server, tokens: { alice: await c.tokenOf('alice'), bob: await c.tokenOf('bob') } });
    }
  });
  afterAll(() => Promise.all(servers.map(({ server }) => server.close())));

  it('gives the same status, header fields and body to every request of the representative set', async () => {
    const answers = FRAMEWORKS.map((framework) => ({
      driver: framework,
      answers: [] as ReturnType<typeof comparableAnswer>[],
    }));
    for (const { as, ...step } of IDENTICAL_STEPS) {
      for (const [i, { server, tokens }] of servers.entries()) {
        const headers = { ...step.headers, ...(as ? { authorization: `Bearer ${tokens[as]}` } : {}) };
        answers[i]?.answers.push(comparableAnswer(await sendProbe(server.url, { ...step, headers }), SENT_ORDER));
      }
    }
    // Report ids are random UUIDs, never a sequence that counts every user's reports.
    const reportIds = answers
      .flatMap((a) => a.answers)
      .filter((a) => a.status === 202)
      .map((a) => (JSON.parse(a.body) as { id: string }).id);
    expect(reportIds).toHaveLength(20);
    expect(new Set(reportIds).size).toBe(20);
    for (const id of reportIds) expect(`"id":"${id}"`).toMatch(new RegExp(`^${UUID.source}$`));
    for (const a of answers) a.answers = a.answers.map(withoutRandomIds);
    // The set covers what the issues list: 401s, 400, 403, login refusals, problems, 429, HEAD.
    expect(answers[0]?.answers.map((a) => a.status)).toEqual([
      200, 204, 403, 204, 401, 401, 400, 401, 401, 401, 422, 200, 404, 200, 404, 400, 403, 403, 404, 404, 405, 405, 406,
      200, 415, 400, 422, 413, 200, 400, 202, 202, 202, 202, 202, 429,
    ]);
    expectIdenticalAnswers(answers);
  });

  it('routes the same spellings of a path on every framework: case, trailing slash, dot segments, encoded letters', async () => {
    // Each router's own reading differed: Express and Koa ignored case and a trailing slash,
    // Fastify matched `/v2/notes/` to `/v2/notes/:id`, Hono resolved dot segments, Fastify
    // and Hono decoded `%6e`.
    const steps: Array<Step & { readonly status: number }> = [
      ...['/V2/notes', '/v2/notes/', '/v2/users/me/', '/Health', '/health/', '/.WELL-KNOWN/jwks.json'].map((path) => ({
        method: 'GET',
        path,
        as: 'alice' as const,
        status: 404,
      })),
      { method: 'GET', path: '/.well-known/jwks.json/', status: 404 },
      { method: 'POST', path: '/Auth/Login', headers: json, body: '{}', status: 404 },
      { method: 'POST', path: '/auth/login/', headers: json, body: '{}', status: 404 },
      ...['/v2/./notes', '/v2/foo/../notes', '/v2/notes/%2e%2e/notes', '/v2/%6eotes', '/x/../health'].map((path) => ({
        method: 'GET',
        path,
        as: 'alice' as const,
        status: 400,
      })),
      { method: 'POST', path: '/auth/./login', headers: json, body: '{}', status: 400 },
    ];
    const answers = FRAMEWORKS.map((framework) => ({
      driver: framework,
      answers: [] as ReturnType<typeof comparableAnswer>[],
    }));
    for (const { as, status, ...step } of steps) {
      for (const [i, { server, tokens }] of servers.entries()) {
        const headers = { ...step.headers, ...(as ? { authorization: `Bearer ${tokens[as]}` } : {}) };
        const answer = comparableAnswer(await sendProbe(server.url, { ...step, headers }), SENT_ORDER);
        expect(answer.status, `${FRAMEWORKS[i]} ${step.method} ${step.path}`).toBe(status);
        answers[i]?.answers.push(answer);
      }
    }
    expectIdenticalAnswers(answers);
  });
});

describe('demo configuration', () => {
  it('refuses an unknown framework and bad ports', () => {
    expect(() => readConfig({ FRAMEWORK: 'nest' })).toThrow(/FRAMEWORK/);
    expect(() => readConfig({ PORT: 'x' })).toThrow(/PORT/);
    expect(() => readConfig({ REDIS_URL: 'http://x' })).toThrow(/REDIS_URL/);
    expect(readConfig({ TRUST_PROXY: '2' }).trustProxy).toEqual({ hops: 2 });
    expect(readConfig({ TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    expect(readConfig({}).trustProxy).toBe(false);
    expect(readConfig({ CORS_ORIGINS: 'https://a.example, https://b.example' }).corsOrigins).toEqual([
      'https://a.example',
      'https://b.example',
    ]);
  });

  it('reads the token settings, with defaults, and refuses bad values naming the variable', () => {
    const defaults = readConfig({});
    expect(defaults).toMatchObject({
      issuer: 'http://127.0.0.1:3000',
      jwtAlg: 'ES256',
      signingKeysFile: undefined,
      keyEncryptionKey: undefined,
      refreshGraceMs: 10_000,
    });
    expect(readConfig({ HOST: '::1', PORT: '8080' }).issuer).toBe('http://[::1]:8080');
    expect(readConfig({ ISSUER: 'https://api.example.com' }).issuer).toBe('https://api.example.com');
    for (const alg of ['EdDSA', 'RS256', 'PS256']) expect(readConfig({ JWT_ALG: alg }).jwtAlg).toBe(alg);
    expect(readConfig({ REFRESH_GRACE: '30s' }).refreshGraceMs).toBe(30_000);
    const kek = Buffer.alloc(32, 7).toString('base64url');
    expect(readConfig({ KEY_ENCRYPTION_KEY: kek }).keyEncryptionKey).toEqual(new Uint8Array(32).fill(7));
    for (const [env, variable] of [
      [{ JWT_ALG: 'HS256' }, 'JWT_ALG'],
      [{ JWT_ALG: 'none' }, 'JWT_ALG'],
      [{ JWT_ALG: 'es256' }, 'JWT_ALG'],
      [{ ISSUER: 'not a url' }, 'ISSUER'],
      [{ ISSUER: 'ftp://x.example' }, 'ISSUER'],
      [{ ISSUER: 'https://x.example/?a=1' }, 'ISSUER'],
      [{ REFRESH_GRACE: '10' }, 'REFRESH_GRACE'],
      [{ REFRESH_GRACE: 'soon' }, 'REFRESH_GRACE'],
      [{ REFRESH_GRACE: '1h' }, 'REFRESH_GRACE'],
      [{ REFRESH_GRACE: '61s' }, 'REFRESH_GRACE'],
      [{ REDIS_URL: 'redis://127.0.0.1:6379' }, 'KEY_ENCRYPTION_KEY'],
      [{ DATABASE_URL: 'postgres://127.0.0.1/test' }, 'KEY_ENCRYPTION_KEY'],
      [{ DATABASE_URL: 'mysql://127.0.0.1/test', KEY_ENCRYPTION_KEY: kek }, 'DATABASE_URL'],
      [{ KEY_ENCRYPTION_KEY: Buffer.alloc(16).toString('base64url') }, 'KEY_ENCRYPTION_KEY'],
      [{ KEY_ENCRYPTION_KEY: `${kek}=` }, 'KEY_ENCRYPTION_KEY'],
      [{ KEY_ENCRYPTION_KEY: Buffer.alloc(32, 255).toString('base64') }, 'KEY_ENCRYPTION_KEY'],
    ] as const) {
      expect(() => readConfig(env), JSON.stringify(env)).toThrow(new RegExp(`"${variable}"`));
    }
    expect(readConfig({ REDIS_URL: 'redis://127.0.0.1:6379', KEY_ENCRYPTION_KEY: kek }).redisUrl).toBe(
      'redis://127.0.0.1:6379',
    );
  });
});
