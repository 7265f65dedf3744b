import { passwordHasher } from '@bulwark/passwords/node';
import { describeWithService, expectProblem, portOpen } from '@bulwark/testkit';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { pgUserDirectory } from './domain/pg-users.js';
import type { RunningDemo } from './server.js';
import { client, decodeJws, startTestDemo } from './test-helpers.js';

const DATABASE_URL = 'postgres://root@127.0.0.1:5432/test';
// TRUST_PROXY: the lockout part signs in from a client of its own (the sign-in tier, 20 a
// minute per IP, now counts in PostgreSQL for both processes together).
const env = { DATABASE_URL, TRUST_PROXY: 'loopback', KEY_ENCRYPTION_KEY: Buffer.alloc(32, 42).toString('base64url') };
const elsewhere = { 'x-forwarded-for': '192.0.2.55' };

/** The seed's injection probes: each is a value, compared with `=`, never SQL. */
const INJECTIONS = [
  "' OR '1'='1",
  "alice@example.com' OR '1'='1",
  "'; DROP TABLE notes_api.users; --",
  "x' UNION SELECT id, email, role, created_at, password_hash FROM notes_api.users --",
  'alice@example.com/**/--',
  "alice@example.com'--",
];

const postgresUp = await portOpen('127.0.0.1', 5432);
describeWithService(
  'PostgreSQL on 127.0.0.1:5432',
  postgresUp,
  'DATABASE_URL: two demo processes on one database',
  () => {
    const pool = new pg.Pool({ connectionString: DATABASE_URL });
    const servers: RunningDemo[] = [];
    beforeAll(async () => {
      // Fresh users (and ids) for this run; the first demo creates the table again.
      await pool.query('DROP SCHEMA IF EXISTS notes_api CASCADE');
      await pool.query('DROP SCHEMA IF EXISTS bulwark CASCADE');
      // Two processes on one database, on different frameworks, started at once.
      // Without the test clock: with a database, the database's time decides (as Redis TIME does).
      const real = { clock: undefined } as never;
      servers.push(...(await Promise.all([startTestDemo('express', env, real), startTestDemo('hono', env, real)])));
    });
    afterAll(async () => {
      await Promise.all(servers.map((s) => s.close()));
      await pool.end();
    });

    it('seeds the demo users once: both processes sign the same users in, with the same ids', async () => {
      expect(servers.map((s) => s.userStore)).toEqual(['postgres', 'postgres']);
      const { rows } = await pool.query('SELECT email FROM notes_api.users ORDER BY seq');
      expect(rows.map((r) => r.email)).toEqual([
        'alice@example.com',
        'bob@example.com',
        'dave@example.com',
        'carol@example.com',
      ]);
      const [a, b] = servers.map(client) as [ReturnType<typeof client>, ReturnType<typeof client>];
      const subs = [decodeJws(await a.tokenOf('dave')).payload.sub, decodeJws(await b.tokenOf('dave')).payload.sub];
      expect(subs[0]).toBe(subs[1]);
      const carol = b.bearer(await b.tokenOf('carol'));
      const all = (await b.send('GET', '/admin/users?limit=10', carol)).json() as { users: Array<{ id: string }> };
      expect(all.users.map((u) => u.id)).toContain(subs[0]);
      expect((await a.login('dave@example.com', 'wrong')).status).toBe(401);
    });

    it('refuses injection probes at validation, and they find no one when sent straight to the store', async () => {
      const a = client(servers[0] as RunningDemo);
      const alice = a.bearer(await a.tokenOf('alice'));
      for (const probe of INJECTIONS) {
        const res = await a.send('GET', `/v2/users?email=${encodeURIComponent(probe)}`, alice);
        expectProblem(res, 400, 'bad_request');
        expect(res.text).not.toContain('@example.com');
        // The sign-in takes any identifier: the probe reaches the query as a value and matches no one.
        expectProblem(await a.login(probe, 'x'), 401, 'invalid_credentials');
      }
      const users = await pgUserDirectory(pool, passwordHasher());
      for (const probe of INJECTIONS) {
        expect(await users.byEmail(probe)).toBeUndefined();
        expect(await users.byId(probe)).toBeUndefined();
      }
      expect((await users.byEmail(' Alice@Example.com '))?.email).toBe('alice@example.com');
      const { rows } = await pool.query('SELECT count(*)::int AS n FROM notes_api.users');
      expect(rows[0].n).toBe(4);
    });

    it('share the keyring, the denylist, the refresh families, the API keys, the lockout and the rate limits', async () => {
      expect(servers.map((s) => s.keyStore)).toEqual(['postgres', 'postgres']);
      const [a, b] = servers.map(client) as [ReturnType<typeof client>, ReturnType<typeof client>];
      // A token signed by one verifies on the other; a logout on one is honoured by the other.
      const pair = await a.pairOf('alice');
      expect((await b.send('GET', '/v2/users/me', b.bearer(pair.access_token))).status).toBe(200);
      // A refresh token issued by one rotates on the other, once.
      const rotated = await b.refresh(pair.refresh_token);
      expect(rotated.status).toBe(200);
      const next = rotated.json() as { access_token: string; refresh_token: string };
      expect((await a.send('POST', '/auth/logout', a.bearer(next.access_token))).status).toBe(204);
      let refused = await b.send('GET', '/v2/users/me', b.bearer(next.access_token));
      for (let i = 0; i < 30 && refused.status === 200; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        refused = await b.send('GET', '/v2/users/me', b.bearer(next.access_token));
      }
      expectProblem(refused, 401, 'invalid_token');
      expectProblem(await a.refresh(next.refresh_token), 401, 'invalid_grant');
      // An API key made on one works on the other, and its revocation holds on both.
      const dave = a.bearer(await a.tokenOf('dave'));
      const made = (
        await a.send('POST', '/v2/api-keys', { 'content-type': 'application/json', ...dave }, '{"name":"pg"}')
      ).json() as { id: string; key: string };
      expect((await b.send('GET', '/v2/users/me', { 'x-api-key': made.key })).status).toBe(200);
      expect((await b.send('DELETE', `/v2/api-keys/${made.id}`, dave)).status).toBe(204);
      expectProblem(await a.send('GET', '/v2/users/me', { 'x-api-key': made.key }), 401, 'invalid_api_key');
      expectProblem(await b.send('GET', '/v2/users/me', { 'x-api-key': made.key }), 401, 'invalid_api_key');
      // Failures through one lock the pair on the other (no Redis: the counts are in PostgreSQL).
      for (let i = 0; i < 5; i++) await (i % 2 ? a : b).login('bob@example.com', 'wrong', elsewhere);
      expectProblem(await a.login('bob@example.com', 'bob-demo-password', elsewhere), 429, 'login_locked');
      // The rate limits count in PostgreSQL too: 5 reports a minute in all, not per process.
      const carol = a.bearer(await a.tokenOf('carol', { 'x-forwarded-for': '192.0.2.56' }));
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) {
        const c = i % 2 === 0 ? a : b;
        const body = '{"kind":"tag-usage"}';
        statuses.push(
          (await c.send('POST', '/v2/reports', { 'content-type': 'application/json', ...carol }, body)).status,
        );
      }
      expect(statuses).toEqual([202, 202, 202, 202, 202, 429]);
      const { rows } = await pool.query(
        "SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'bulwark'",
      );
      expect(rows[0].n).toBeGreaterThan(5);
    });
  },
);
