import { type ApiKeyStore, formatApiKey, generateApiKeyParts, memoryApiKeyStore } from '@bulwark/api-keys';
import { type ManualClock, manualClock } from '@bulwark/core';
import { comparableAnswer, expectIdenticalAnswers, expectProblem, type ProbeResponse } from '@bulwark/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FRAMEWORKS } from './config.js';
import { client, json, startTestDemo } from './test-helpers.js';

// DEMO.md, API keys and authorization (#17): the key routes, keys on protected routes within
// their scopes, revocation, rotation with overlap, expiry, checksums refused offline, and the
// object-, function- and property-level checks, on each framework.

const KEY_CHALLENGE = 'Bearer realm="notes-api", error="invalid_token"';

/** A store that counts the calls made to it, so a test can tell that none was. */
function countingStore(clock: ManualClock): { store: ApiKeyStore; calls: () => number } {
  const inner = memoryApiKeyStore({ clock });
  let calls = 0;
  const store = new Proxy(inner, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver);
      if (typeof value !== 'function' || name === 'close') return value;
      return (...args: unknown[]) => {
        calls++;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store, calls: () => calls };
}

interface KeyAnswer {
  id: string;
  name: string;
  key: string;
  start: string;
  scopes: string[];
  created_at: string;
  expires_at: string | null;
}

async function keysDemo(framework: (typeof FRAMEWORKS)[number]) {
  const clock = manualClock(Date.UTC(2026, 5, 15, 12, 0, 30));
  const counted = countingStore(clock);
  const server = await startTestDemo(framework, {}, { clock, apiKeyStore: counted.store });
  const c = client(server);
  const [alice, bob, carol, dave] = (
    await Promise.all([c.tokenOf('alice'), c.tokenOf('bob'), c.tokenOf('carol'), c.tokenOf('dave')])
  ).map(c.bearer) as unknown as [
    Record<string, string>,
    Record<string, string>,
    Record<string, string>,
    Record<string, string>,
  ];
  const createKey = async (who: Record<string, string>, body: Record<string, unknown>) =>
    c.send('POST', '/v2/api-keys', { ...json, ...who }, JSON.stringify(body));
  const keyOf = async (who: Record<string, string>, body: Record<string, unknown>) => {
    const res = await createKey(who, body);
    expect(res.status).toBe(201);
    return res.json() as KeyAnswer;
  };
  return { server, clock, counted, c, alice, bob, carol, dave, createKey, keyOf };
}

describe.each(FRAMEWORKS)('notes-api demo on %s: API keys and authorization', (framework) => {
  let d: Awaited<ReturnType<typeof keysDemo>>;
  beforeAll(async () => {
    d = await keysDemo(framework);
  });
  afterAll(() => d?.server.close());

  it('creates a key shown once, lists it without a secret, and the key works as its owner within its scopes', async () => {
    const made = await d.keyOf(d.alice, { name: 'ci', scopes: ['notes:read'], expires_in_days: 30 });
    expect(made.key).toMatch(/^notes_live_[0-9A-Za-z]{16}_[0-9A-Za-z]{49}$/);
    expect(made.start).toBe(`notes_live_${made.id}`);
    expect(made.scopes).toEqual(['notes:read']);
    expect(Date.parse(made.expires_at ?? '') - Date.parse(made.created_at)).toBe(30 * 86_400_000);
    const listed = await d.c.send('GET', '/v2/api-keys', d.alice);
    expect(listed.status).toBe(200);
    expect(listed.text).not.toContain(made.key.slice(made.start.length));
    expect(listed.text).not.toMatch(/sha256|hmac|"key"/);
    expect((listed.json() as { keys: unknown[] }).keys).toContainEqual({
      id: made.id,
      name: 'ci',
      start: made.start,
      scopes: ['notes:read'],
      created_at: made.created_at,
      expires_at: made.expires_at,
      last_used_at: null,
      revoked_at: null,
    });
    // X-API-Key, and Bearer with the key's prefix: the owner, with the key's scopes.
    for (const header of [{ 'x-api-key': made.key }, { authorization: `Bearer ${made.key}` }]) {
      const me = await d.c.send('GET', '/v2/users/me', header);
      expect(me.status).toBe(200);
      expect(me.json()).toMatchObject({ email: 'alice@example.com', scopes: ['notes:read'] });
      expect((await d.c.send('GET', '/v2/notes', header)).status).toBe(200);
    }
    const write = await d.c.send('POST', '/v2/notes', { ...json, 'x-api-key': made.key }, '{"title":"x"}');
    expectProblem(write, 403, 'insufficient_scope');
    expect(write.header('www-authenticate')).toBe(
      'Bearer realm="notes-api", error="insufficient_scope", scope="notes:write"',
    );
    // Its own budget: the per-principal tier counts the key, not alice.
    expect((await d.c.send('GET', '/v2/notes', { 'x-api-key': made.key })).header('ratelimit')).toMatch(/"user";r=9\d/);
    // Other users never see it.
    expect((await d.c.send('GET', '/v2/api-keys', d.dave)).text).not.toContain(made.id);
  });

  it('refuses scopes beyond the caller and a viewer or a key without keys:manage', async () => {
    const beyond = await d.createKey(d.alice, { name: 'x', scopes: ['notes:read', 'admin'] });
    expectProblem(beyond, 422, 'validation_failed');
    expect(beyond.json()).toMatchObject({
      errors: [{ pointer: '/scopes/1', detail: 'Is not one of your scopes.', in: 'body' }],
    });
    expectProblem(await d.createKey(d.bob, { name: 'x' }), 403, 'insufficient_scope');
    const reader = await d.keyOf(d.alice, { name: 'reader', scopes: ['notes:read'] });
    expectProblem(await d.createKey({ 'x-api-key': reader.key }, { name: 'x' }), 403, 'insufficient_scope');
    // A key that may manage keys makes only keys within its own scopes.
    const manager = await d.keyOf(d.alice, { name: 'manager', scopes: ['keys:manage', 'notes:read'] });
    const child = await d.createKey({ 'x-api-key': manager.key }, { name: 'child', scopes: ['notes:write'] });
    expectProblem(child, 422, 'validation_failed');
    expect((await d.createKey({ 'x-api-key': manager.key }, { name: 'child' })).json()).toMatchObject({
      scopes: ['keys:manage', 'notes:read'],
    });
    for (const body of [{}, { name: '' }, { name: 'x', expires_in_days: 0 }, { name: 'x', owner: 'me' }]) {
      expectProblem(await d.createKey(d.alice, body), 422, 'validation_failed');
    }
  });

  it('a bad checksum, a made-up key or garbage is 401 invalid_api_key with no store call', async () => {
    const made = await d.keyOf(d.alice, { name: 'typo' });
    const flipped = `${made.key.slice(0, -1)}${made.key.endsWith('A') ? 'B' : 'A'}`;
    const before = d.counted.calls();
    for (const key of [flipped, 'notes_live_0000000000000000_0000000000000000000000000000000000000000000000000']) {
      for (const header of [{ 'x-api-key': key }, { authorization: `Bearer ${key}` }]) {
        const res = await d.c.send('GET', '/v2/users/me', header);
        expectProblem(res, 401, 'invalid_api_key');
        expect(res.header('www-authenticate')).toBe(KEY_CHALLENGE);
        expect(res.text).not.toContain(key);
      }
    }
    expect(d.counted.calls()).toBe(before);
    // The counter counts: a well-formed key with a valid checksum that no one issued is looked up.
    const unknown = formatApiKey(generateApiKeyParts('notes', 'live'));
    expectProblem(await d.c.send('GET', '/v2/users/me', { 'x-api-key': unknown }), 401, 'invalid_api_key');
    expect(d.counted.calls()).toBeGreaterThan(before);
  });

  it('revoked: 401 on the next request; another user cannot revoke or rotate it (404)', async () => {
    const made = await d.keyOf(d.alice, { name: 'to revoke' });
    expect((await d.c.send('GET', '/v2/users/me', { 'x-api-key': made.key })).status).toBe(200);
    expectProblem(await d.c.send('DELETE', `/v2/api-keys/${made.id}`, d.dave), 404, 'not_found');
    expectProblem(
      await d.c.send('POST', `/v2/api-keys/${made.id}/rotate`, { ...json, ...d.dave }, '{}'),
      404,
      'not_found',
    );
    expect((await d.c.send('GET', '/v2/users/me', { 'x-api-key': made.key })).status).toBe(200);
    const deleted = await d.c.send('DELETE', `/v2/api-keys/${made.id}`, d.alice);
    expect(deleted.status).toBe(204);
    const refused = await d.c.send('GET', '/v2/users/me', { 'x-api-key': made.key });
    expectProblem(refused, 401, 'invalid_api_key');
    expect(refused.header('www-authenticate')).toBe(KEY_CHALLENGE);
    const listed = (await d.c.send('GET', '/v2/api-keys', d.alice)).json() as {
      keys: Array<{ id: string; revoked_at: string | null }>;
    };
    expect(listed.keys.find((k) => k.id === made.id)?.revoked_at).toEqual(expect.any(String));
    expectProblem(await d.c.send('DELETE', '/v2/api-keys/not-an-id', d.alice), 400, 'bad_request');
  });

  it('a credential manages keys only within its own scopes: no rotating or revoking a broader key (403)', async () => {
    const broad = await d.keyOf(d.alice, { name: 'broad' });
    const narrow = await d.keyOf(d.alice, { name: 'narrow', scopes: ['keys:manage'] });
    const asNarrow = { 'x-api-key': narrow.key };
    for (const [method, path, body] of [
      ['POST', `/v2/api-keys/${broad.id}/rotate`, '{"overlap_seconds":0}'],
      ['DELETE', `/v2/api-keys/${broad.id}`, undefined],
    ] as const) {
      const refused = await d.c.send(method, path, body === undefined ? asNarrow : { ...json, ...asNarrow }, body);
      const problem = expectProblem(refused, 403, 'insufficient_scope');
      expect(problem.required_scope).toBe(broad.scopes.join(' '));
      expect(refused.header('www-authenticate')).toBe(
        `Bearer realm="notes-api", error="insufficient_scope", scope="${broad.scopes.join(' ')}"`,
      );
      expect(refused.text).not.toContain(broad.key);
    }
    // The broad key is untouched: it works, and is neither rotated nor revoked.
    expect(
      (await d.c.send('POST', '/v2/notes', { ...json, 'x-api-key': broad.key }, '{"title":"t","body":"b"}')).status,
    ).toBe(201);
    const listed = (await d.c.send('GET', '/v2/api-keys', d.alice)).json() as {
      keys: Array<{ id: string; revoked_at: string | null }>;
    };
    expect(listed.keys.filter((k) => k.id === broad.id)).toEqual([expect.objectContaining({ revoked_at: null })]);
    // Within its scopes it may: the narrow key rotates itself, and the broad token revokes the broad key.
    const self = await d.c.send('POST', `/v2/api-keys/${narrow.id}/rotate`, { ...json, ...asNarrow }, '{}');
    expect(self.status).toBe(201);
    expect((self.json() as KeyAnswer).scopes).toEqual(['keys:manage']);
    expect((await d.c.send('DELETE', `/v2/api-keys/${broad.id}`, d.alice)).status).toBe(204);
  });

  it('an API key beside a token or another key is 400 invalid_request, whichever fails', async () => {
    const made = await d.keyOf(d.alice, { name: 'beside a token' });
    const other = await d.keyOf(d.alice, { name: 'beside a key' });
    const bad = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.AAAA';
    for (const headers of [
      { 'x-api-key': made.key, authorization: `Bearer ${bad}` },
      { 'x-api-key': made.key, authorization: `Bearer ${other.key}` },
      { 'x-api-key': `${made.key.slice(0, -1)}x`, ...d.alice },
      { 'x-api-key': made.key, ...d.alice },
    ]) {
      const refused = await d.c.send('GET', '/v2/users/me', headers);
      expectProblem(refused, 400, 'invalid_request');
      expect(refused.header('www-authenticate')).toBe('Bearer realm="notes-api", error="invalid_request"');
    }
    expect((await d.c.send('GET', '/v2/users/me', { 'x-api-key': made.key })).status).toBe(200);
  });

  it('a logout with an API key is refused (400): a key has no session, and it keeps working', async () => {
    const made = await d.keyOf(d.alice, { name: 'no session' });
    expectProblem(await d.c.send('POST', '/auth/logout', { 'x-api-key': made.key }), 400, 'bad_request');
    expect((await d.c.send('GET', '/v2/users/me', { 'x-api-key': made.key })).status).toBe(200);
    expect((await d.c.send('GET', '/v2/users/me', d.alice)).status).toBe(200);
  });

  it('rotated: both keys work inside the overlap, the old one fails after it; 0 ends it at once', async () => {
    const old = await d.keyOf(d.alice, { name: 'rotating' });
    const res = await d.c.send(
      'POST',
      `/v2/api-keys/${old.id}/rotate`,
      { ...json, ...d.alice },
      '{"overlap_seconds":60}',
    );
    expect(res.status).toBe(201);
    const next = res.json() as KeyAnswer;
    expect(next.id).not.toBe(old.id);
    expect(next.name).toBe('rotating');
    for (const key of [old.key, next.key]) {
      expect((await d.c.send('GET', '/v2/users/me', { 'x-api-key': key })).status).toBe(200);
    }
    d.clock.advance(61_000);
    expectProblem(await d.c.send('GET', '/v2/users/me', { 'x-api-key': old.key }), 401, 'invalid_api_key');
    expect((await d.c.send('GET', '/v2/users/me', { 'x-api-key': next.key })).status).toBe(200);
    const now = (
      await d.c.send('POST', `/v2/api-keys/${next.id}/rotate`, { ...json, ...d.alice }, '{"overlap_seconds":0}')
    ).json() as KeyAnswer;
    expectProblem(await d.c.send('GET', '/v2/users/me', { 'x-api-key': next.key }), 401, 'invalid_api_key');
    expect((await d.c.send('GET', '/v2/users/me', { 'x-api-key': now.key })).status).toBe(200);
    // A rotated key is rotated once.
    expectProblem(
      await d.c.send('POST', `/v2/api-keys/${next.id}/rotate`, { ...json, ...d.alice }, '{}'),
      404,
      'not_found',
    );
  });

  it('expired: 401 once its days are over', async () => {
    const made = await d.keyOf(d.alice, { name: 'short', expires_in_days: 1 });
    expect((await d.c.send('GET', '/v2/users/me', { 'x-api-key': made.key })).status).toBe(200);
    d.clock.advance(86_400_000 + 1000);
    expectProblem(await d.c.send('GET', '/v2/users/me', { 'x-api-key': made.key }), 401, 'invalid_api_key');
  });

  it('function level: bob (a viewer) cannot create a note; alice cannot list users as admin', async () => {
    expectProblem(
      await d.c.send('POST', '/v2/notes', { ...json, ...d.bob }, '{"title":"nope"}'),
      403,
      'insufficient_scope',
    );
    const admin = await d.c.send('GET', '/admin/users', d.alice);
    expectProblem(admin, 403, 'insufficient_scope');
    expect(admin.json()).toMatchObject({ required_scope: 'admin' });
    expect((await d.c.send('GET', '/admin/users', d.carol)).status).toBe(200);
  });
});

describe('notes-api demo: the API-key answers are byte-identical on the four frameworks', () => {
  let servers: Array<Awaited<ReturnType<typeof keysDemo>>> = [];
  beforeAll(async () => {
    servers = [];
    for (const framework of FRAMEWORKS) servers.push(await keysDemo(framework));
  });
  afterAll(() => Promise.all(servers.map((s) => s.server.close())));

  it('creation, listing, use, refusals and revocation read the same on each (random values blanked)', async () => {
    const blank = (res: ProbeResponse, made?: KeyAnswer) => {
      const answer = comparableAnswer(res);
      const scrub = (text: string) =>
        text
          .replace(/notes_live_[0-9A-Za-z_]+/g, '<key>')
          .replace(made ? new RegExp(made.id, 'g') : /$^/, '<id>')
          .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uuid>');
      return {
        status: answer.status,
        fields: answer.fields.filter(([name]) => name !== 'ratelimit').map(([n, v]) => [n, scrub(v)] as const),
        body: scrub(answer.body),
      };
    };
    const recorded = [];
    for (const [index, d] of servers.entries()) {
      const answers = [];
      const res = await d.createKey(d.alice, { name: 'same', scopes: ['notes:read'] });
      const made = res.json() as KeyAnswer;
      answers.push(blank(res, made));
      answers.push(blank(await d.c.send('GET', '/v2/users/me', { 'x-api-key': made.key }), made));
      answers.push(blank(await d.createKey(d.alice, { name: 'x', scopes: ['admin'] }), made));
      answers.push(blank(await d.c.send('GET', '/v2/users/me', { 'x-api-key': `${made.key}x` }), made));
      answers.push(blank(await d.c.send('DELETE', `/v2/api-keys/${made.id}`, d.alice), made));
      answers.push(blank(await d.c.send('GET', '/v2/users/me', { 'x-api-key': made.key }), made));
      recorded.push({ driver: FRAMEWORKS[index] as string, answers });
    }
    expect(recorded[0]?.answers.map((a) => a.status)).toEqual([201, 200, 422, 401, 204, 401]);
    expectIdenticalAnswers(recorded);
  });
});
