import { expectProblem, expectProfile, type ProbeResponse } from '@bulwark/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FRAMEWORKS } from './config.js';
import type { RunningDemo } from './server.js';
import { client, json, startTestDemo } from './test-helpers.js';

const remaining = (header: string | undefined, tier: string) =>
  Number(new RegExp(`"${tier}";r=(\\d+)`).exec(header ?? '')?.[1]);

describe.each(FRAMEWORKS)('notes-api demo on %s: the rate-limit tiers (TRUST_PROXY=loopback)', (framework) => {
  let server: RunningDemo;
  let c: ReturnType<typeof client>;
  beforeAll(async () => {
    server = await startTestDemo(framework, { TRUST_PROXY: 'loopback' });
    c = client(server);
  });
  afterAll(() => server?.close());
  const from = (ip: string, headers: Record<string, string> = {}) => ({ 'x-forwarded-for': ip, ...headers });

  it('sign-in: 20 per minute per client IP, then 429 even for the right password; another IP is apart', async () => {
    const ip = '198.51.100.10';
    for (let i = 0; i < 20; i++) {
      // An invalid body: counted before validation, so no password is hashed here.
      const res = await c.send('POST', '/auth/login', from(ip, json), '{}');
      expect(res.status).toBe(422);
      expect(res.header('ratelimit-policy')).toBe('"ip";q=1000;w=900, "signin";q=20;w=60');
    }
    const refused = await c.login('alice@example.com', 'alice-demo-password', from(ip));
    expectProblem(refused, 429, 'rate_limited');
    expectProfile(refused);
    expect(Number(refused.header('retry-after'))).toBeGreaterThan(0);
    expect((await c.login('alice@example.com', 'alice-demo-password', from('198.51.100.11'))).status).toBe(200);
    // The other routes of the same address are not sign-ins: only the per-IP tier counts them.
    const token = await c.tokenOf('alice', from('198.51.100.12'));
    expect((await c.send('GET', '/v2/users/me', from(ip, c.bearer(token)))).status).toBe(200);
  });

  it('sign-in: /auth/login, /auth/refresh, /oauth/token and the sign-in form post share one budget per IP', async () => {
    const ip = '198.51.100.13';
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const signins = [
      () => c.send('POST', '/auth/login', from(ip, json), '{}'),
      () => c.send('POST', '/auth/refresh', from(ip, json), '{}'),
      () =>
        c.send('POST', '/oauth/token', from(ip, form), 'grant_type=refresh_token&refresh_token=x&client_id=notes-spa'),
      () => c.send('POST', '/oauth/authorize', from(ip, form), 'email=a%40example.com&password=x'),
    ];
    for (let i = 0; i < 20; i++) {
      const res = await (signins[i % signins.length] as () => Promise<ProbeResponse>)();
      expect(res.status).not.toBe(429);
      expect(res.header('ratelimit-policy')).toBe('"ip";q=1000;w=900, "signin";q=20;w=60');
    }
    for (const send of signins) expectProblem(await send(), 429, 'rate_limited');
    // The sign-in page itself (GET) is not a sign-in: only the per-IP tier counts it.
    const page = await c.send('GET', '/oauth/authorize?client_id=notes-spa', from(ip));
    expect(page.status).toBe(400);
    expect(page.header('ratelimit-policy')).toBe('"ip";q=1000;w=900');
  });

  it('expensive: 5 reports per minute per user; two users behind one IP have a budget each', async () => {
    const ip = '198.51.100.20';
    const alice = c.bearer(await c.tokenOf('alice', from('198.51.100.21')));
    const dave = c.bearer(await c.tokenOf('dave', from('198.51.100.22')));
    const report = (who: Record<string, string>) =>
      c.send('POST', '/v2/reports', from(ip, { ...json, ...who }), JSON.stringify({ kind: 'notes-summary' }));
    for (let i = 0; i < 5; i++) {
      const res = await report(alice);
      expect(res.status).toBe(202);
      expect(res.header('ratelimit-policy')).toBe('"ip";q=1000;w=900, "user";q=100;w=60, "reports";q=5;w=60');
    }
    const before = await c.send('GET', '/nope', from(ip));
    const refused = await report(alice);
    expectProblem(refused, 429, 'rate_limited');
    expect(Number(refused.header('retry-after'))).toBeGreaterThan(0);
    // A refused request consumes nothing, the per-IP tier's share included.
    const after = await c.send('GET', '/nope', from(ip));
    expect(remaining(after.header('ratelimit'), 'ip')).toBe(remaining(before.header('ratelimit'), 'ip') - 1);
    // dave, behind the same address, still has his five.
    expect((await report(dave)).status).toBe(202);
    // alice's other routes still have room in her per-user tier.
    expect((await c.send('GET', '/v2/notes', from(ip, alice))).status).toBe(200);
  });

  it('per principal: 100 per minute per user on /v2 and /admin, whatever the address', async () => {
    const bob = c.bearer(await c.tokenOf('bob', from('198.51.100.30')));
    const carol = c.bearer(await c.tokenOf('carol', from('198.51.100.31')));
    for (let i = 0; i < 100; i++) {
      // Spread over addresses: the tier counts the user, not where they call from.
      const res = await c.send('GET', '/v2/users/me', from(`198.51.100.${40 + (i % 50)}`, bob));
      expect(res.status).toBe(200);
    }
    const refused = await c.send('GET', '/v2/notes', from('198.51.100.99', bob));
    expectProblem(refused, 429, 'rate_limited');
    expect(refused.header('ratelimit-policy')).toBe('"ip";q=1000;w=900, "user";q=100;w=60');
    expect((await c.send('GET', '/admin/users', from('198.51.100.40', carol))).status).toBe(200);
    // Logout is not a /v2 route: bob can still end his session.
    expect((await c.send('POST', '/auth/logout', from('198.51.100.40', bob))).status).toBe(204);
  });

  it('per IP: every route but /health and /.well-known/*, 1000 per 15 minutes', async () => {
    const ip = '198.51.100.200';
    expect((await c.send('GET', '/health', from(ip))).header('ratelimit')).toBeUndefined();
    expect((await c.send('GET', '/.well-known/jwks.json', from(ip))).header('ratelimit')).toBeUndefined();
    // Only exact spellings skip: anything else under them counts.
    expect((await c.send('GET', '/health/x', from(ip))).header('ratelimit')).toMatch(/^"ip";r=999;/);
    for (let i = 0; i < 999; i++) expect((await c.send('GET', '/nope', from(ip))).status).toBe(404);
    expectProblem(await c.send('GET', '/v2/notes', from(ip)), 429, 'rate_limited');
    expectProblem(await c.login('alice@example.com', 'alice-demo-password', from(ip)), 429, 'rate_limited');
    expect((await c.send('GET', '/health', from(ip))).status).toBe(200);
    expect((await c.send('GET', '/.well-known/jwks.json', from(ip))).status).toBe(200);
  });
});

describe.each(FRAMEWORKS)('notes-api demo on %s: no proxy trusted', (framework) => {
  let server: RunningDemo;
  beforeAll(async () => {
    server = await startTestDemo(framework);
  });
  afterAll(() => server?.close());

  it('ignores X-Forwarded-For: a spoofed address gets no fresh sign-in budget', async () => {
    const c = client(server);
    for (let i = 0; i < 20; i++) expect((await c.send('POST', '/auth/login', json, '{}')).status).toBe(422);
    const spoofed = await c.login('alice@example.com', 'alice-demo-password', { 'x-forwarded-for': '203.0.113.9' });
    expectProblem(spoofed, 429, 'rate_limited');
  });
});
