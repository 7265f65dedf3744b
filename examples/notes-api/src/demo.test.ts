import { manualClock, type SecurityEvent } from '@bulwark/core';
import {
  comparableAnswer,
  describeWithService,
  expectIdenticalAnswers,
  expectProblem,
  expectProfile,
  type ProbeRequest,
  type ProbeResponse,
  portOpen,
  sendProbe,
  sendRaw,
} from '@bulwark/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Listening } from './apps/types.js';
import { FRAMEWORKS, readConfig } from './config.js';
import type { RunningDemo } from './server.js';
import { startDemo } from './server.js';

const UI = 'http://localhost:5173';
const json = { 'content-type': 'application/json' };
// The rate-limit tiers count in fixed one-minute windows: on the real clock a test that
// crosses a minute boundary would see its budget refilled halfway. A clock stopped in the
// middle of a window keeps every count in one window (the Redis test uses Redis TIME).
const clock = manualClock(Date.UTC(2026, 5, 15, 12, 0, 30));

describe.each(FRAMEWORKS)('notes-api demo on %s', (framework) => {
  let server: Listening;
  beforeAll(async () => {
    server = await startDemo({ ...readConfig({}), framework, port: 0, clock, onError: () => {} });
  });
  afterAll(() => server?.close());
  const send = (method: string, path: string, headers: Record<string, string> = {}, body?: string) =>
    sendProbe(server.url, { method, path, headers, ...(body === undefined ? {} : { body }) });

  it('answers /health with the profile', async () => {
    const res = await send('GET', '/health');
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
    expectProfile(res);
  });

  it('creates, lists and reads notes under v2 with no-store', async () => {
    const created = await send('POST', '/v2/notes', json, JSON.stringify({ title: 'First', tags: ['a'] }));
    expect(created.status).toBe(201);
    const note = created.json() as { id: string; title: string };
    expect(note).toMatchObject({ title: 'First', tags: ['a'], body: '' });
    expect(created.text).not.toContain('ownerId');
    const list = await send('GET', '/v2/notes?limit=100', { origin: UI });
    expect(list.status).toBe(200);
    expect(list.header('cache-control')).toBe('no-store');
    expect(list.header('access-control-allow-origin')).toBe(UI);
    expect((list.json() as { notes: unknown[] }).notes).toContainEqual(note);
    expect(list.text).not.toContain('ownerId');
    const one = await send('GET', `/v2/notes/${note.id}`);
    expect(one.json()).toEqual(note);
    expectProblem(await send('GET', '/v2/notes/999999'), 404, 'not_found');
    expectProblem(await send('GET', '/v2/notes/abc'), 400, 'bad_request');
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

  it('finds seeded users by a validated email without leaking hashes', async () => {
    const found = await send('GET', '/v2/users?email=alice@example.com');
    expect(found.json()).toEqual({ users: [{ id: 'u1', email: 'alice@example.com', name: 'Alice' }] });
    expect(found.text).not.toContain('argon2id');
    expect((await send('GET', '/v2/users?email=carol@example.com')).json()).toEqual({ users: [] });
    expectProblem(await send('GET', '/v2/users?email=not-an-email'), 400, 'bad_request');
    expectProblem(await send('GET', '/v2/users'), 400, 'bad_request');
  });

  it('marks v1 deprecated', async () => {
    const res = await send('GET', '/v1/notes');
    expect(res.status).toBe(200);
    expect(res.header('deprecation')).toBe('@1780272000');
    expect(res.header('sunset')).toBe('Wed, 30 Jun 2027 00:00:00 GMT');
    expect(res.header('link')).toContain('rel="successor-version"');
    expect(res.header('link')).toContain('rel="deprecation"');
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
    const missing = await send('GET', '/nope');
    expectProblem(missing, 404, 'not_found');
    expectProfile(missing);
    const version = expectProblem(await send('GET', '/v3/notes'), 406, 'unsupported_api_version');
    expect(version.supportedVersions).toEqual(['v1', 'v2']);
  });

  it('answers 405 with Allow for a method a known path does not serve', async () => {
    for (const [method, path, allow] of [
      ['DELETE', '/v2/notes', 'GET, HEAD, POST, OPTIONS'],
      ['PUT', '/v2/notes/1', 'GET, HEAD, OPTIONS'],
      ['PATCH', '/v2/notes/1', 'GET, HEAD, OPTIONS'],
      ['GET', '/v2/reports', 'POST, OPTIONS'],
      ['TRACE', '/health', 'GET, HEAD, OPTIONS'],
    ] as const) {
      const refused = await send(method, path);
      expectProblem(refused, 405, 'method_not_allowed');
      expect(refused.header('allow')).toBe(allow);
      expectProfile(refused);
    }
    const head = await send('HEAD', '/v2/reports');
    expect(head.status).toBe(405);
    expect(head.header('allow')).toBe('POST, OPTIONS');
    expect(head.text).toBe('');
    // A plain OPTIONS (no CORS preflight) is answered with the list itself.
    const options = await send('OPTIONS', '/v2/notes/1');
    expect(options.status).toBe(204);
    expect(options.header('allow')).toBe('GET, HEAD, OPTIONS');
    expect(options.text).toBe('');
    // A path that does not exist is still 404, whatever the method.
    expectProblem(await send('DELETE', '/v2/nope'), 404, 'not_found');
  });

  it('limits /v2 per client IP with two advertised tiers, and leaves /health alone', async () => {
    const report = JSON.stringify({ kind: 'notes-summary' });
    const first = await send('POST', '/v2/reports', json, report);
    expect(first.status).toBe(202);
    expect(first.json()).toMatchObject({ kind: 'notes-summary', status: 'queued' });
    expect(first.header('ratelimit-policy')).toBe('"anon";q=100;w=60, "reports";q=5;w=60');
    for (let i = 0; i < 4; i++) expect((await send('POST', '/v2/reports', json, report)).status).toBe(202);
    const limited = await send('POST', '/v2/reports', json, report);
    expectProblem(limited, 429, 'rate_limited');
    // The /v2 tier is reported as the refusal leaves it: the same as after the fifth report.
    const anonLeft = (res: typeof limited) => /"anon";r=(\d+)/.exec(res.header('ratelimit') ?? '')?.[1];
    expect(anonLeft(limited)).toBe(String(Number(anonLeft(first)) - 4));
    expect(Number(limited.header('retry-after'))).toBeGreaterThan(0);
    // The /v2 tier still has room: the refused report consumed nothing.
    const list = await send('GET', '/v2/notes');
    expect(list.status).toBe(200);
    expect(list.header('ratelimit')).toMatch(/^"anon";r=\d+;t=\d+$/);
    const health = await send('GET', '/health');
    expect(health.header('ratelimit')).toBeUndefined();
  });

  it('ignores X-Forwarded-For unless TRUST_PROXY says so', async () => {
    const report = JSON.stringify({ kind: 'tag-usage' });
    // The previous test used up this client's report tier; a spoofed address changes nothing.
    const spoofed = await send('POST', '/v2/reports', { ...json, 'x-forwarded-for': '198.51.100.77' }, report);
    expect(spoofed.status).toBe(429);
  });

  it('counts other spellings of /v2/reports against the report tier', async () => {
    // Fastify and Hono route the encoded ones to the reports handler, and Express, Koa and
    // Fastify route a target with a stray `#x` there: none may escape its limit.
    const report = JSON.stringify({ kind: 'tag-usage' });
    for (const path of ['/v2/%72eports', '/%762/reports', '/v2/report%73', '/v2/reports#x']) {
      const refused = await send('POST', path, json, report);
      expectProblem(refused, 429, 'rate_limited');
      expect(refused.header('ratelimit-policy')).toBe('"anon";q=100;w=60, "reports";q=5;w=60');
    }
  });

  it('gives absolute-form spellings of /v2/reports no way around the report tier (refused, or counted)', async () => {
    // Express and Koa routed these to the reports handler while the policies saw `/`: seven
    // 202s where the report tier allows five (issue #14). A fresh server: a fresh tier.
    const fresh = await startDemo({ ...readConfig({}), framework, port: 0, clock, onError: () => {} });
    try {
      const report = JSON.stringify({ kind: 'tag-usage' });
      const odd = ['http://x:99999/v2/reports', 'http:///v2/reports', 'http://x@/v2/reports', '//x@y/v2/reports#z'];
      const statuses: number[] = [];
      for (let i = 0; i < 7; i++) {
        const res = await sendProbe(fresh.url, {
          method: 'POST',
          path: odd[i % odd.length] ?? '',
          headers: json,
          body: report,
        });
        statuses.push(res.status);
        // Hono's node server refuses some of these itself, before any middleware, with a bare 400.
        if (res.status === 400 && !(res.header('content-type') ?? '').startsWith('text/plain')) {
          expectProblem(res, 400, 'bad_request');
          expectProfile(res);
        }
      }
      expect(statuses.filter((s) => s === 202).length).toBeLessThanOrEqual(5);
      expect(statuses.every((s) => s === 400 || s === 202 || s === 429)).toBe(true);
      // A plain absolute-form target is routed, and counted like the origin-form path.
      const plain: number[] = [];
      for (let i = 0; i < 6; i++) {
        const res = await sendProbe(fresh.url, {
          method: 'POST',
          path: 'http://api.example.com/v2/reports',
          headers: json,
          body: report,
        });
        plain.push(res.status);
      }
      expect(plain.filter((s) => s === 202).length + statuses.filter((s) => s === 202).length).toBeLessThanOrEqual(5);
      expect(plain.at(-1)).toBe(429);
    } finally {
      await fresh.close();
    }
  });

  it('answers CORS preflights from the configured UI only', async () => {
    const ok = await send('OPTIONS', '/v2/notes', {
      origin: UI,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type',
    });
    expect(ok.status).toBe(204);
    expect(ok.header('access-control-allow-origin')).toBe(UI);
    const evil = await send('OPTIONS', '/v2/notes', {
      origin: 'https://evil.example',
      'access-control-request-method': 'POST',
    });
    expectProblem(evil, 403, 'cors_preflight_rejected');
    expect(evil.header('access-control-allow-origin')).toBeUndefined();
  });
});

// Requests refused before any framework runs (Node's parser, the Host check, Hono's node
// server) and bodies on routes that do not validate: the same answers on all four.
describe.each(FRAMEWORKS)('notes-api demo on %s: answers outside the routes', (framework) => {
  let server: Listening;
  beforeAll(async () => {
    server = await startDemo({ ...readConfig({}), framework, port: 0, clock, onError: () => {} });
  });
  afterAll(() => server?.close());
  const raw = (head: string) => sendRaw(server.url, `${head}\r\n\r\n`);

  it.each([
    ['no Host (HTTP/1.1)', 'GET /health HTTP/1.1\r\nConnection: close', 400, 'bad_request'],
    ['Host: a b', 'GET /health HTTP/1.1\r\nHost: a b\r\nConnection: close', 400, 'bad_request'],
    ['two Host fields', 'GET /health HTTP/1.1\r\nHost: a\r\nHost: b\r\nConnection: close', 400, 'bad_request'],
    ['a malformed request line', 'GET  /health HTTP/1.1 x\r\nHost: a', 400, 'bad_request'],
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
    // Hono's node server refuses these (400) where the other routers find no route (404);
    // which status is the High path item's decision. Here: never a bare answer.
    const res = await raw(head);
    expect([400, 404]).toContain(res.status);
    expectProblem(res, res.status, res.status === 400 ? 'bad_request' : 'not_found');
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
    // The validated route still reads and refuses it.
    expectProblem(await send('POST', '/v2/notes', invalidJson, '{"title":'), 400, 'bad_request');
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

// The per-IP tier runs before CORS (see policies.ts), so preflights count: neither
// preflights nor cors.rejected events are unlimited per client.
describe.each(FRAMEWORKS)('notes-api demo on %s: preflights and the per-IP tier', (framework) => {
  let server: Listening;
  const events: SecurityEvent[] = [];
  beforeAll(async () => {
    server = await startDemo({
      ...readConfig({}),
      framework,
      port: 0,
      clock,
      onError: () => {},
      onEvent: (event) => void events.push(event),
    });
  });
  afterAll(() => server?.close());
  const preflight = (origin: string) =>
    sendProbe(server.url, {
      method: 'OPTIONS',
      path: '/v2/notes',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
  const corsRejections = () => events.filter((e) => e.type === 'cors.rejected').length;

  it('counts preflights, refused or granted, against the 100 per minute and then answers 429', async () => {
    for (let i = 0; i < 40; i++) expectProblem(await preflight('https://evil.example'), 403, 'cors_preflight_rejected');
    expect(corsRejections()).toBe(40);
    for (let i = 0; i < 60; i++) {
      const ok = await preflight(UI);
      expect(ok.status).toBe(204);
      expect(ok.header('access-control-allow-origin')).toBe(UI);
      expect(ok.header('ratelimit')).toMatch(/^"anon";r=\d+;t=\d+$/);
    }
    for (const origin of [UI, 'https://evil.example']) {
      const refused = await preflight(origin);
      expectProblem(refused, 429, 'rate_limited');
      expectProfile(refused);
      expect(Number(refused.header('retry-after'))).toBeGreaterThan(0);
      expect(refused.header('access-control-allow-origin')).toBeUndefined();
    }
    // Refused before CORS: no event per further attempt.
    expect(corsRejections()).toBe(40);
    // The budget is the one every /v2 request shares.
    expectProblem(await sendProbe(server.url, { method: 'GET', path: '/v2/notes' }), 429, 'rate_limited');
  });
});

describe.each(FRAMEWORKS)('notes-api demo on %s: forwarded client addresses (TRUST_PROXY=loopback)', (framework) => {
  let server: RunningDemo;
  beforeAll(async () => {
    server = await startDemo({
      ...readConfig({ TRUST_PROXY: 'loopback' }),
      framework,
      port: 0,
      clock,
      onError: () => {},
    });
  });
  afterAll(() => server?.close());
  const report = (forwardedFor: string) =>
    sendProbe(server.url, {
      method: 'POST',
      path: '/v2/reports',
      headers: { ...json, 'x-forwarded-for': forwardedFor },
      body: JSON.stringify({ kind: 'tag-usage' }),
    });

  it('reads a long X-Forwarded-For from the right, only as far as the trust rule needs', async () => {
    // 8 KB of client-written entries before the address the (trusted, loopback) proxy appended.
    const junk = Array.from({ length: 600 }, (_, i) => `203.0.113.${i % 250}`).join(', ');
    for (let i = 0; i < 5; i++) expect((await report(`${junk}, 198.51.100.70`)).status).toBe(202);
    expect((await report(`${junk}, 198.51.100.70`)).status).toBe(429);
    // The same entries in front of another appended address: another client, its own budget.
    expect((await report(`${junk}, 198.51.100.71`)).status).toBe(202);
  });

  it('keys a NAT64 address by the IPv4 host it embeds', async () => {
    // 64:ff9b::c633:6450 is 198.51.100.80 through the well-known NAT64 prefix.
    for (let i = 0; i < 5; i++) expect((await report('64:ff9b::c633:6450')).status).toBe(202);
    expect((await report('198.51.100.80')).status).toBe(429);
  });
});

describe('TRUST_PROXY', () => {
  it('keys limits by the forwarded address when the proxy is trusted', async () => {
    const server = await startDemo({
      ...readConfig({ TRUST_PROXY: 'loopback' }),
      framework: 'express',
      port: 0,
      clock,
      onError: () => {},
    });
    try {
      const report = JSON.stringify({ kind: 'tag-usage' });
      const post = (ip: string) =>
        sendProbe(server.url, {
          method: 'POST',
          path: '/v2/reports',
          headers: { ...json, 'x-forwarded-for': ip },
          body: report,
        });
      for (let i = 0; i < 5; i++) expect((await post('198.51.100.1')).status).toBe(202);
      expect((await post('198.51.100.1')).status).toBe(429);
      expect((await post('198.51.100.2')).status).toBe(202);
    } finally {
      await server.close();
    }
  });
});

const redisUp = await portOpen('127.0.0.1', 6379);
describeWithService('Redis on 127.0.0.1:6379', redisUp, 'REDIS_URL: several demo processes share limits', () => {
  it('counts requests to two servers (different frameworks) against one limit', async () => {
    const redisUrl = 'redis://127.0.0.1:6379';
    // A unique forwarded address per run keeps this test independent of earlier runs.
    const client = `198.51.100.${(Date.now() % 200) + 20}`;
    const servers: RunningDemo[] = [];
    try {
      for (const framework of ['fastify', 'hono'] as const) {
        servers.push(
          await startDemo({
            ...readConfig({ REDIS_URL: redisUrl, TRUST_PROXY: 'loopback' }),
            framework,
            port: 0,
            onError: () => {},
          }),
        );
      }
      expect(servers.map((s) => s.store)).toEqual(['redis', 'redis']);
      const report = JSON.stringify({ kind: 'notes-summary' });
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) {
        const server = servers[i % 2] as RunningDemo;
        const res = await sendProbe(server.url, {
          method: 'POST',
          path: '/v2/reports',
          headers: { ...json, 'x-forwarded-for': client },
          body: report,
        });
        statuses.push(res.status);
      }
      expect(statuses).toEqual([202, 202, 202, 202, 202, 429]);
    } finally {
      await Promise.all(servers.map((s) => s.close()));
    }
  });
});

/**
 * The same requests, in the same order, to a fresh demo on each framework: the answers
 * must be byte-identical (status, every header field but Date and the connection fields,
 * body). Each step is sent to all four before the next, and state (notes, rate limits)
 * evolves the same way on each.
 */
const IDENTICAL_STEPS: readonly ProbeRequest[] = [
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
  { method: 'OPTIONS', path: '/v2/notes/1' },
  {
    method: 'POST',
    path: '/v2/notes',
    headers: { ...json, origin: UI },
    body: JSON.stringify({ title: 'First', tags: ['a'] }),
  },
  { method: 'GET', path: '/v2/notes?limit=10', headers: { origin: UI } },
  { method: 'GET', path: '/v2/notes/1' },
  { method: 'HEAD', path: '/v2/notes/1' },
  { method: 'GET', path: '/v2/notes/999999' },
  { method: 'GET', path: '/nope', headers: { origin: UI } },
  { method: 'HEAD', path: '/nope' },
  { method: 'DELETE', path: '/v2/notes' },
  { method: 'HEAD', path: '/v2/reports' },
  { method: 'GET', path: '/v3/notes' },
  { method: 'GET', path: '/v1/notes' },
  { method: 'POST', path: '/v2/notes', headers: { 'content-type': 'text/plain' }, body: '{"title":"x"}' },
  { method: 'POST', path: '/v2/notes', headers: json, body: '{"title":' },
  { method: 'POST', path: '/v2/notes', headers: json, body: '{"title":"","role":"admin"}' },
  {
    method: 'POST',
    path: '/v2/notes',
    headers: json,
    body: JSON.stringify({ title: 'x', body: 'y'.repeat(200 * 1024) }),
  },
  { method: 'GET', path: '/v2/users?email=alice@example.com' },
  { method: 'GET', path: '/v2/users?email=nope' },
  ...Array.from({ length: 6 }, () => ({
    method: 'POST',
    path: '/v2/reports',
    headers: json,
    body: JSON.stringify({ kind: 'notes-summary' }),
  })),
];

describe('notes-api demo: the four frameworks answer byte-identically', () => {
  const servers: Listening[] = [];
  beforeAll(async () => {
    for (const framework of FRAMEWORKS) {
      servers.push(await startDemo({ ...readConfig({}), framework, port: 0, clock, onError: () => {} }));
    }
  });
  afterAll(() => Promise.all(servers.map((server) => server.close())));

  it('gives the same status, header fields and body to every request of the representative set', async () => {
    const answers = FRAMEWORKS.map((framework) => ({
      driver: framework,
      answers: [] as ReturnType<typeof comparableAnswer>[],
    }));
    for (const step of IDENTICAL_STEPS) {
      for (const [i, server] of servers.entries()) {
        answers[i]?.answers.push(comparableAnswer(await sendProbe(server.url, step)));
      }
    }
    // The set covers what the issue lists: a 201 JSON answer, 204s, problems, 429, HEAD.
    expect(answers[0]?.answers.map((a) => a.status)).toEqual([
      200, 204, 403, 204, 201, 200, 200, 200, 404, 404, 404, 405, 405, 406, 200, 415, 400, 422, 413, 200, 400, 202, 202,
      202, 202, 202, 429,
    ]);
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
});
