import { expectProblem, expectProfile, type ProbeResponse, sendRaw } from '@bulwark/testkit';
import { createLocalJWKSet, type JSONWebKeySet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FRAMEWORKS } from './config.js';
import type { RunningDemo } from './server.js';
import { client, decodeJws, json, startTestDemo, withoutTime } from './test-helpers.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const challengeOf = (res: ProbeResponse) => res.header('www-authenticate');

describe.each(FRAMEWORKS)('notes-api demo on %s: authentication', (framework) => {
  let server: RunningDemo;
  let other: RunningDemo;
  let c: ReturnType<typeof client>;
  let alice: string;
  let bob: string;
  let carol: string;
  beforeAll(async () => {
    // Behind a trusted (loopback) proxy, so tests can sign in from several addresses: the
    // sign-in tier allows 20 a minute per address.
    server = await startTestDemo(framework, { TRUST_PROXY: 'loopback' });
    // Another demo: its own keyring, so its tokens are signed by a kid this one never had.
    other = await startTestDemo(framework);
    c = client(server);
    [alice, bob, carol] = await Promise.all([c.tokenOf('alice'), c.tokenOf('bob'), c.tokenOf('carol')]);
  });
  afterAll(() => Promise.all([server?.close(), other?.close()]));

  it('logs in with email and password: an RFC 9068 access token, 15 minutes, the role scopes', async () => {
    const res = await c.login('alice@example.com', 'alice-demo-password');
    expect(res.status).toBe(200);
    expect(res.header('cache-control')).toBe('no-store');
    expectProfile(res);
    const body = res.json() as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['access_token', 'expires_in', 'refresh_token', 'scope', 'token_type']);
    expect(body.refresh_token).toMatch(/^bwrt_[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(body).toMatchObject({
      token_type: 'Bearer',
      expires_in: 900,
      scope: 'notes:read notes:write reports:write keys:manage',
    });
    const { header, payload } = decodeJws(body.access_token as string);
    expect(header).toMatchObject({ typ: 'at+jwt', alg: 'ES256', kid: expect.any(String) });
    expect(payload).toMatchObject({
      iss: 'http://127.0.0.1:3000',
      aud: 'notes-api',
      sub: expect.stringMatching(UUID),
      scope: 'notes:read notes:write reports:write keys:manage',
      client_id: 'notes-api',
      jti: expect.any(String),
      sid: expect.any(String),
    });
    expect((payload.exp as number) - (payload.iat as number)).toBe(900);
    // Emails compare case-insensitively.
    expect((await c.login('ALICE@Example.com', 'alice-demo-password')).status).toBe(200);
  });

  it('answers an unknown email and a wrong password the same, in similar time', async () => {
    const wrong = await c.login('alice@example.com', 'not-her-password');
    const unknown = await c.login('mallory@example.com', 'alice-demo-password');
    const problem = expectProblem(wrong, 401, 'invalid_credentials');
    expect(problem.detail).toBe('The email or password is incorrect.');
    expect(unknown.status).toBe(401);
    expect(unknown.text).toBe(wrong.text);
    expect(withoutTime(unknown)).toEqual(withoutTime(wrong));
    // An unknown email costs an Argon2id verification too (of a dummy hash), so it is not
    // much faster than a wrong password (without it, it would be a map lookup). Interleaved
    // medians, so that load on the machine weighs on both alike.
    const timings: Record<'known' | 'none', number[]> = { known: [], none: [] };
    for (let i = 0; i < 5; i++) {
      for (const [who, email] of [
        ['known', 'bob@example.com'],
        ['none', 'nobody@example.com'],
      ] as const) {
        const start = performance.now();
        const res = await c.login(email, 'not-the-password', { 'x-forwarded-for': '198.51.100.1' });
        expect(res.status).toBe(401);
        timings[who].push(performance.now() - start);
      }
    }
    const median = (list: number[]) => [...list].sort((x, y) => x - y)[2] as number;
    expect(median(timings.none)).toBeGreaterThan(median(timings.known) * 0.3);
  });

  it('refuses malformed sign-in bodies before any password check', async () => {
    const send = (body: string, headers: Record<string, string> = json) => c.send('POST', '/auth/login', headers, body);
    expectProblem(await send(JSON.stringify({ email: 'alice@example.com' })), 422, 'validation_failed');
    expectProblem(
      await send(JSON.stringify({ email: 'alice@example.com', password: 'x', role: 'admin' })),
      422,
      'validation_failed',
    );
    expectProblem(await send('email=alice', { 'content-type': 'text/plain' }), 415, 'unsupported_media_type');
    expectProblem(await send('{"email":'), 400, 'bad_request');
  });

  it('without a credential, or with another scheme: 401 unauthenticated and a challenge without error', async () => {
    for (const headers of [{}, { authorization: 'Basic YWxpY2U6YWxpY2UtZGVtby1wYXNzd29yZA==' }]) {
      const res = await c.send('GET', '/v2/notes', headers);
      const problem = expectProblem(res, 401, 'unauthenticated');
      expect(problem.detail).toBe('This resource requires authentication.');
      expect(challengeOf(res)).toBe('Bearer realm="notes-api"');
      expectProfile(res);
    }
    for (const [method, path] of [
      ['GET', '/v2/users/me'],
      ['POST', '/v2/reports'],
      ['GET', '/admin/users'],
      ['GET', '/admin/events'],
      ['GET', '/v1/notes'],
      ['POST', '/auth/logout'],
    ] as const) {
      expectProblem(await c.send(method, path, json, method === 'POST' ? '{}' : undefined), 401, 'unauthenticated');
    }
  });

  it('a malformed Bearer credential: 400 invalid_request with error="invalid_request"', async () => {
    for (const authorization of ['Bearer', 'Bearer ', `Bearer ${alice} ${bob}`, 'Bearer ab$c', 'Bearer a,b']) {
      const res = await c.send('GET', '/v2/notes', { authorization });
      expectProblem(res, 400, 'invalid_request');
      expect(challengeOf(res)).toBe('Bearer realm="notes-api", error="invalid_request"');
    }
    // Two Authorization fields, even with a valid token in each.
    const url = new URL(server.url);
    const two = await sendRaw(
      server.url,
      `GET /v2/notes HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${alice}\r\nAuthorization: Bearer ${alice}\r\nConnection: close\r\n\r\n`,
    );
    expectProblem(two, 400, 'invalid_request');
    expect(challengeOf(two)).toBe('Bearer realm="notes-api", error="invalid_request"');
  });

  it('a token that fails any check: 401 invalid_token, one fixed detail, never the token', async () => {
    const [head, payload, signature] = alice.split('.') as [string, string, string];
    const claims = decodeJws(alice).payload;
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const foreign = await client(other).tokenOf('alice');
    const failing = {
      garbage: 'not.a.token',
      // alice's token granting herself admin: the signature no longer matches.
      elevated: `${head}.${encode({ ...claims, scope: 'admin users:read' })}.${signature}`,
      unsigned: `${encode({ alg: 'none', typ: 'at+jwt' })}.${payload}.`,
      foreign,
      flipped: `${head}.${payload}.${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BA' : 'AA'}`,
      oversized: `${head}.${'A'.repeat(9000)}.${signature}`,
    };
    const answers: ProbeResponse[] = [];
    for (const [what, token] of Object.entries(failing)) {
      const res = await c.send('GET', '/v2/users/me', c.bearer(token));
      const problem = expectProblem(res, 401, 'invalid_token');
      expect(problem.detail, what).toBe('The access token is not valid.');
      expect(challengeOf(res)).toBe('Bearer realm="notes-api", error="invalid_token"');
      expect(res.text).not.toContain(token.slice(0, 20));
      answers.push(res);
    }
    expect(new Set(answers.map((res) => res.text)).size).toBe(1);
    // The foreign server's own token works there: the refusal is the kid, not the token.
    expect((await client(other).send('GET', '/v2/users/me', c.bearer(foreign))).status).toBe(200);
  });

  it('a valid token without the route scope: 403 insufficient_scope naming it', async () => {
    const write = await c.send('POST', '/v2/notes', { ...json, ...c.bearer(bob) }, JSON.stringify({ title: 'x' }));
    const problem = expectProblem(write, 403, 'insufficient_scope');
    expect(problem.required_scope).toBe('notes:write');
    expect(challengeOf(write)).toBe('Bearer realm="notes-api", error="insufficient_scope", scope="notes:write"');
    const admin = await c.send('GET', '/admin/users', c.bearer(alice));
    expect(expectProblem(admin, 403, 'insufficient_scope').required_scope).toBe('admin');
    expect(challengeOf(admin)).toBe('Bearer realm="notes-api", error="insufficient_scope", scope="admin"');
    const report = await c.send('POST', '/v2/reports', { ...json, ...c.bearer(bob) }, '{"kind":"tag-usage"}');
    expect(expectProblem(report, 403, 'insufficient_scope').required_scope).toBe('reports:write');
    // bob can read.
    expect((await c.send('GET', '/v2/notes', c.bearer(bob))).status).toBe(200);
  });

  it('GET /v2/users/me answers the caller with the token scopes', async () => {
    const me = await c.send('GET', '/v2/users/me', c.bearer(alice));
    expect(me.status).toBe(200);
    expect(me.json()).toEqual({
      id: decodeJws(alice).payload.sub,
      email: 'alice@example.com',
      role: 'user',
      scopes: ['notes:read', 'notes:write', 'reports:write', 'keys:manage'],
    });
    expect(me.json()).toMatchObject({ id: expect.stringMatching(UUID) });
    expect((await c.send('GET', '/v2/users/me', c.bearer(carol))).json()).toMatchObject({
      email: 'carol@example.com',
      role: 'admin',
      scopes: ['notes:read', 'notes:write', 'reports:write', 'keys:manage', 'users:read', 'admin'],
    });
    expect((await c.send('GET', '/v2/users/me', c.bearer(bob))).json()).toMatchObject({
      role: 'viewer',
      scopes: ['notes:read'],
    });
  });

  it('publishes the public JWK Set, cacheable, that verifies its tokens', async () => {
    const res = await c.send('GET', '/.well-known/jwks.json');
    expect(res.status).toBe(200);
    expect(res.header('cache-control')).toBe('public, max-age=300');
    expect(res.header('ratelimit')).toBeUndefined();
    const set = res.json() as JSONWebKeySet;
    expect(set.keys.length).toBeGreaterThan(0);
    for (const key of set.keys) {
      expect(key).toMatchObject({ kid: expect.any(String), alg: 'ES256', use: 'sig' });
      for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) expect(key).not.toHaveProperty(member);
    }
    const { payload } = await jwtVerify(alice, createLocalJWKSet(set), {
      issuer: 'http://127.0.0.1:3000',
      audience: 'notes-api',
      typ: 'at+jwt',
    });
    expect(payload.sub).toBe(decodeJws(alice).payload.sub);
  });

  it('logout revokes the token and its session at once; other sessions keep working', async () => {
    const first = await c.tokenOf('dave', { 'x-forwarded-for': '198.51.100.3' });
    const second = await c.tokenOf('dave', { 'x-forwarded-for': '198.51.100.3' });
    expect((await c.send('GET', '/v2/users/me', c.bearer(first))).status).toBe(200);
    const out = await c.send('POST', '/auth/logout', c.bearer(first));
    expect(out.status).toBe(204);
    expect(out.text).toBe('');
    for (const [method, path] of [
      ['GET', '/v2/users/me'],
      ['GET', '/v2/notes'],
      ['POST', '/auth/logout'],
    ] as const) {
      const res = await c.send(method, path, c.bearer(first));
      expectProblem(res, 401, 'invalid_token');
      expect(challengeOf(res)).toBe('Bearer realm="notes-api", error="invalid_token"');
    }
    expect((await c.send('GET', '/v2/users/me', c.bearer(second))).status).toBe(200);
  });
});
