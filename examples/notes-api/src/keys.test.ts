import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeWithService, expectProblem, portOpen } from '@bulwark/testkit';
import { createPkcePair } from '@bulwark/tokens';
import { Redis } from 'ioredis';
import { exportJWK, generateKeyPair, type JWTHeaderParameters, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { FRAMEWORKS, JWT_ALGORITHMS } from './config.js';
import { DEMO_USERS } from './domain/users.js';
import { authorizeQuery, CALLBACK, cookieOf, formFields, oauthClient, SPA } from './oauth-test-helpers.js';
import type { RunningDemo } from './server.js';
import { client, decodeJws, json, PASSWORDS, startTestDemo } from './test-helpers.js';

// Each algorithm on another framework: all four of each are covered between them.
describe.each(JWT_ALGORITHMS.map((alg, i) => [alg, FRAMEWORKS[i] ?? 'fastify'] as const))(
  'JWT_ALG=%s (on %s)',
  (alg, framework) => {
    it('signs with generated keys of that algorithm, published in the JWK Set', async () => {
      const server = await startTestDemo(framework, { JWT_ALG: alg, ISSUER: 'https://notes.example.com' });
      try {
        const c = client(server);
        const token = await c.tokenOf('alice');
        const { header, payload } = decodeJws(token);
        expect(header).toMatchObject({ alg, typ: 'at+jwt' });
        expect(payload.iss).toBe('https://notes.example.com');
        const jwks = (await c.send('GET', '/.well-known/jwks.json')).json() as { keys: Array<{ kid: string }> };
        expect(jwks.keys).toContainEqual(expect.objectContaining({ kid: header.kid, alg, use: 'sig' }));
        expect((await c.send('GET', '/v2/users/me', c.bearer(token))).status).toBe(200);
      } finally {
        await server.close();
      }
    });
  },
);

describe('SIGNING_KEYS_FILE', () => {
  it('signs with the first key of the file and verifies with all of them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'notes-api-keys-'));
    const jwk = async (alg: 'ES256' | 'EdDSA', kid: string) => ({
      ...(await exportJWK((await generateKeyPair(alg, { extractable: true })).privateKey)),
      kid,
      alg,
    });
    const file = join(dir, 'keys.json');
    await writeFile(file, JSON.stringify({ keys: [await jwk('EdDSA', 'vault-2'), await jwk('ES256', 'vault-1')] }));
    const server = await startTestDemo('koa', { SIGNING_KEYS_FILE: file });
    try {
      expect(server.keyStore).toBe('file');
      const c = client(server);
      const token = await c.tokenOf('carol');
      expect(decodeJws(token).header).toMatchObject({ alg: 'EdDSA', kid: 'vault-2' });
      const jwks = (await c.send('GET', '/.well-known/jwks.json')).json() as { keys: Array<Record<string, unknown>> };
      expect(jwks.keys.map((k) => k.kid)).toEqual(['vault-2', 'vault-1']);
      for (const key of jwks.keys) expect(key).not.toHaveProperty('d');
      expect((await c.send('GET', '/admin/users', c.bearer(token))).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('refuses to start on a missing, non-JSON or invalid key file, naming the variable', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'notes-api-keys-'));
    const bad = join(dir, 'bad.json');
    const publicOnly = join(dir, 'public.json');
    await writeFile(bad, '{"keys":');
    const { publicKey } = await generateKeyPair('ES256', { extractable: true });
    await writeFile(
      publicOnly,
      JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k', alg: 'ES256' }] }),
    );
    for (const file of [join(dir, 'missing.json'), bad, publicOnly]) {
      await expect(startTestDemo('express', { SIGNING_KEYS_FILE: file })).rejects.toThrow(/"SIGNING_KEYS_FILE"/);
    }
  });
});

const redisUp = await portOpen('127.0.0.1', 6379);
describeWithService('Redis on 127.0.0.1:6379', redisUp, 'REDIS_URL: two demo processes behave as one', () => {
  it('share the keyring, the revocations and the limits (different frameworks)', async () => {
    const env = {
      REDIS_URL: 'redis://127.0.0.1:6379',
      TRUST_PROXY: 'loopback',
      KEY_ENCRYPTION_KEY: Buffer.alloc(32, 42).toString('base64url'),
    };
    // A unique forwarded address per run keeps this test independent of earlier runs.
    const ip = `198.51.100.${(Date.now() % 200) + 20}`;
    const servers: RunningDemo[] = [];
    // Fresh user ids for this run (the first process draws them): fresh per-user budgets.
    const redis = new Redis(env.REDIS_URL);
    await redis.del(...DEMO_USERS.map((u) => `notes-api:user-id:${u.email}`));
    redis.disconnect();
    try {
      // Without the clock: with Redis, Redis TIME decides the limits.
      for (const framework of ['fastify', 'hono'] as const) {
        servers.push(await startTestDemo(framework, env, { clock: undefined } as never));
      }
      expect(servers.map((s) => [s.store, s.keyStore])).toEqual([
        ['redis', 'redis'],
        ['redis', 'redis'],
      ]);
      const [a, b] = servers.map(client) as [ReturnType<typeof client>, ReturnType<typeof client>];
      // A token made on one works on the other: one keyring, one set of user ids.
      const token = await a.tokenOf('dave', { 'x-forwarded-for': ip });
      expect((await b.send('GET', '/v2/users/me', b.bearer(token))).status).toBe(200);
      // The expensive tier counts in Redis: 5 reports in all.
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) {
        const c = i % 2 === 0 ? a : b;
        const res = await c.send(
          'POST',
          '/v2/reports',
          { ...json, ...c.bearer(token), 'x-forwarded-for': ip },
          '{"kind":"notes-summary"}',
        );
        statuses.push(res.status);
      }
      expect(statuses).toEqual([202, 202, 202, 202, 202, 429]);
      // A logout on one is honoured by the other.
      expect((await a.send('POST', '/auth/logout', a.bearer(token))).status).toBe(204);
      let refused = await b.send('GET', '/v2/users/me', b.bearer(token));
      for (let i = 0; i < 20 && refused.status === 200; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        refused = await b.send('GET', '/v2/users/me', b.bearer(token));
      }
      expectProblem(refused, 401, 'invalid_token');
    } finally {
      await Promise.all(servers.map((s) => s.close()));
    }
  });
  it('share the refresh families, the codes and the sign-in form (different frameworks)', async () => {
    const env = {
      REDIS_URL: 'redis://127.0.0.1:6379',
      TRUST_PROXY: 'loopback',
      KEY_ENCRYPTION_KEY: Buffer.alloc(32, 42).toString('base64url'),
    };
    const ip = { 'x-forwarded-for': `198.51.100.${(Date.now() % 200) + 21}` };
    const servers: RunningDemo[] = [];
    try {
      for (const framework of ['koa', 'express'] as const) {
        servers.push(await startTestDemo(framework, env, { clock: undefined } as never));
      }
      const [a, b] = servers.map(oauthClient) as [ReturnType<typeof oauthClient>, ReturnType<typeof oauthClient>];
      // A family made on one rotates on the other, and the grace retry answers the same child there.
      const pair = await a.pairOf('alice', ip);
      const rotated = await b.refresh(pair.refresh_token, ip);
      expect(rotated.status).toBe(200);
      const child = (rotated.json() as { refresh_token: string }).refresh_token;
      const retried = await a.refresh(pair.refresh_token, ip);
      expect((retried.json() as { refresh_token: string }).refresh_token).toBe(child);
      // A reuse seen by one revokes the session in both.
      const next = (await a.refresh(child, ip)).json() as { access_token: string; refresh_token: string };
      expectProblem(await b.refresh(pair.refresh_token, ip), 401, 'invalid_grant');
      expectProblem(await a.refresh(next.refresh_token, ip), 401, 'invalid_grant');
      let me = await a.send('GET', '/v2/users/me', a.bearer(next.access_token));
      for (let i = 0; i < 20 && me.status === 200; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        me = await a.send('GET', '/v2/users/me', a.bearer(next.access_token));
      }
      expectProblem(me, 401, 'invalid_token');
      // The sign-in page served by one is accepted by the other; its code is redeemed, once, by either.
      const pkce = await createPkcePair();
      const page = await a.page(authorizeQuery(pkce.challenge), ip);
      const fields = { ...formFields(page), email: 'bob@example.com', password: PASSWORDS.bob };
      const signedIn = await b.post(fields, cookieOf(page), ip);
      expect(signedIn.status).toBe(303);
      const code = new URL(signedIn.header('location') ?? '').searchParams.get('code') ?? '';
      const exchange = {
        grant_type: 'authorization_code',
        code,
        redirect_uri: CALLBACK,
        client_id: SPA,
        code_verifier: pkce.verifier,
      };
      expect((await a.token(exchange, ip)).status).toBe(200);
      expect(((await b.token(exchange, ip)).json() as { error: string }).error).toBe('invalid_grant');
    } finally {
      await Promise.all(servers.map((s) => s.close()));
    }
  });
  it('share the lockout: failures on one lock the pair on the other, for /auth/login and the sign-in form', async () => {
    const env = {
      REDIS_URL: 'redis://127.0.0.1:6379',
      TRUST_PROXY: 'loopback',
      KEY_ENCRYPTION_KEY: Buffer.alloc(32, 42).toString('base64url'),
    };
    // Earlier runs' account-wide counts (50 in 15 minutes) must not lock carol for this one.
    const redis = new Redis(env.REDIS_URL);
    const stale = await redis.keys('notes-api:lockout*');
    if (stale.length > 0) await redis.del(...stale);
    redis.disconnect();
    const ip = { 'x-forwarded-for': `198.51.100.${(Date.now() % 200) + 22}` };
    const servers: RunningDemo[] = [];
    try {
      for (const framework of ['express', 'hono'] as const) {
        servers.push(await startTestDemo(framework, env, { clock: undefined } as never));
      }
      const [a, b] = servers.map(oauthClient) as [ReturnType<typeof oauthClient>, ReturnType<typeof oauthClient>];
      for (let i = 0; i < 5; i++) {
        const res = await (i % 2 === 0 ? a : b).login('carol@example.com', 'not-the-password', ip);
        expectProblem(res, 401, 'invalid_credentials');
      }
      expectProblem(await a.login('carol@example.com', PASSWORDS.carol, ip), 429, 'login_locked');
      expectProblem(await b.login('carol@example.com', PASSWORDS.carol, ip), 429, 'login_locked');
      const page = await a.page(authorizeQuery((await createPkcePair()).challenge), ip);
      const posted = await b.post(
        { ...formFields(page), email: 'carol@example.com', password: PASSWORDS.carol },
        cookieOf(page),
        ip,
      );
      expect(posted.status).toBe(429);
      // Another client of carol's is not locked, on either.
      expect((await b.login('carol@example.com', PASSWORDS.carol, { 'x-forwarded-for': '192.0.2.77' })).status).toBe(
        200,
      );
    } finally {
      await Promise.all(servers.map((s) => s.close()));
    }
  });
  it('share the API keys: made on one, used on the other; revoked through one, refused by the other at once', async () => {
    const env = {
      REDIS_URL: 'redis://127.0.0.1:6379',
      TRUST_PROXY: 'loopback',
      KEY_ENCRYPTION_KEY: Buffer.alloc(32, 42).toString('base64url'),
    };
    const ip = { 'x-forwarded-for': `198.51.100.${(Date.now() % 200) + 23}` };
    const servers: RunningDemo[] = [];
    try {
      for (const framework of ['fastify', 'koa'] as const) {
        servers.push(await startTestDemo(framework, env, { clock: undefined } as never));
      }
      const [a, b] = servers.map(client) as [ReturnType<typeof client>, ReturnType<typeof client>];
      const alice = a.bearer(await a.tokenOf('alice', ip));
      const made = (
        await a.send('POST', '/v2/api-keys', { ...json, ...alice, ...ip }, '{"name":"shared","scopes":["notes:read"]}')
      ).json() as { id: string; key: string };
      const use = (c: typeof a) => c.send('GET', '/v2/users/me', { 'x-api-key': made.key, ...ip });
      // Each process has verified (and cached) the key before the revocation.
      expect((await use(b)).status).toBe(200);
      expect((await use(a)).status).toBe(200);
      expect((await a.send('DELETE', `/v2/api-keys/${made.id}`, { ...alice, ...ip })).status).toBe(204);
      expectProblem(await use(b), 401, 'invalid_api_key');
      expectProblem(await use(a), 401, 'invalid_api_key');
    } finally {
      await Promise.all(servers.map((s) => s.close()));
    }
  });
});

describe.each(FRAMEWORKS)('validly signed tokens with odd session ids (on %s)', (framework) => {
  it('a sid that names no refresh family logs out (204) and is refused after; an unrevokable jti or sid is never accepted', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'notes-api-keys-'));
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const file = join(dir, 'keys.json');
    await writeFile(
      file,
      JSON.stringify({ keys: [{ ...(await exportJWK(privateKey)), kid: 'odd-sid', alg: 'ES256' }] }),
    );
    const server = await startTestDemo(framework, { SIGNING_KEYS_FILE: file });
    try {
      const c = client(server);
      const { header, payload } = decodeJws(await c.tokenOf('carol'));
      const mint = (claims: Record<string, unknown>) =>
        new SignJWT({ ...payload, ...claims }).setProtectedHeader(header as JWTHeaderParameters).sign(privateKey);
      // 17 characters: no refresh family id (those are 30), as another issuer sharing the keys would write.
      const foreign = await mint({ sid: 'A'.repeat(17), jti: 'foreign-session-jti' });
      expect((await c.send('GET', '/v2/users/me', c.bearer(foreign))).status).toBe(200);
      expect((await c.send('POST', '/auth/logout', c.bearer(foreign))).status).toBe(204);
      expectProblem(await c.send('GET', '/v2/users/me', c.bearer(foreign)), 401, 'invalid_token');
      // Ids longer than a revocation store keeps: refused at verification, never a 500 at logout.
      for (const claims of [{ sid: 'S'.repeat(5000) }, { jti: 'J'.repeat(300) }]) {
        const unrevokable = await mint(claims);
        expectProblem(await c.send('POST', '/auth/logout', c.bearer(unrevokable)), 401, 'invalid_token');
      }
    } finally {
      await server.close();
    }
  });
});
