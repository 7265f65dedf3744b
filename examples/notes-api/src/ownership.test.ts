import { expectProblem } from '@bulwark/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FRAMEWORKS } from './config.js';
import type { RunningDemo } from './server.js';
import { client, json, startTestDemo } from './test-helpers.js';

describe.each(FRAMEWORKS)('notes-api demo on %s: ownership, users and admin', (framework) => {
  let server: RunningDemo;
  let c: ReturnType<typeof client>;
  let alice: Record<string, string>;
  let dave: Record<string, string>;
  let carol: Record<string, string>;
  beforeAll(async () => {
    server = await startTestDemo(framework);
    c = client(server);
    [alice, dave, carol] = (await Promise.all([c.tokenOf('alice'), c.tokenOf('dave'), c.tokenOf('carol')])).map(
      c.bearer,
    ) as unknown as [Record<string, string>, Record<string, string>, Record<string, string>];
  });
  afterAll(() => server?.close());

  it("alice cannot read, change or delete dave's note: the same 404 as a missing one", async () => {
    const created = await c.send('POST', '/v2/notes', { ...json, ...dave }, JSON.stringify({ title: 'dave only' }));
    expect(created.status).toBe(201);
    const { id } = created.json() as { id: string };
    const missing = await c.send('GET', '/v2/notes/6f1c1f5e-7d43-4c38-9a52-0e6a3f0f1b2c', alice);
    expectProblem(missing, 404, 'not_found');
    const theirs = await c.send('GET', `/v2/notes/${id}`, alice);
    expectProblem(theirs, 404, 'not_found');
    expect(theirs.text).toBe(missing.text);
    expectProblem(
      await c.send('PATCH', `/v2/notes/${id}`, { ...json, ...alice }, '{"title":"mine"}'),
      404,
      'not_found',
    );
    expectProblem(await c.send('DELETE', `/v2/notes/${id}`, alice), 404, 'not_found');
    expect(
      ((await c.send('GET', '/v2/notes?limit=100', alice)).json() as { notes: unknown[] }).notes,
    ).not.toContainEqual(expect.objectContaining({ id }));
    // Still dave's, unchanged.
    expect((await c.send('GET', `/v2/notes/${id}`, dave)).json()).toMatchObject({ id, title: 'dave only' });
    // The operator learns of the three foreign attempts (the missing note is no event); never the id.
    const log = (await c.send('GET', '/admin/events?limit=100', carol)).json() as {
      events: Array<{ type: string; layer?: string; action?: string }>;
    };
    const foreign = log.events.filter((e) => e.type === 'authz.denied' && e.layer === 'object');
    expect(foreign.map((e) => e.action)).toEqual(['delete', 'update', 'read']);
    expect(JSON.stringify(log)).not.toContain(id);
  });

  it('the owner changes (strictly) and deletes a note', async () => {
    const { id } = (
      await c.send('POST', '/v2/notes', { ...json, ...alice }, JSON.stringify({ title: 'draft' }))
    ).json() as { id: string };
    const patched = await c.send('PATCH', `/v2/notes/${id}`, { ...json, ...alice }, '{"title":"final","tags":["x"]}');
    expect(patched.status).toBe(200);
    expect(patched.json()).toMatchObject({ id, title: 'final', tags: ['x'] });
    for (const field of ['id', 'owner', 'created_at']) {
      const res = await c.send('PATCH', `/v2/notes/${id}`, { ...json, ...alice }, JSON.stringify({ [field]: 'x' }));
      expectProblem(res, 422, 'validation_failed');
    }
    expectProblem(await c.send('PATCH', '/v2/notes/abc', { ...json, ...alice }, '{}'), 400, 'bad_request');
    const deleted = await c.send('DELETE', `/v2/notes/${id}`, alice);
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
    expectProblem(await c.send('GET', `/v2/notes/${id}`, alice), 404, 'not_found');
  });

  it('finds users by email: masked without users:read, the record with it, never a hash', async () => {
    const masked = await c.send('GET', '/v2/users?email=dave@example.com', alice);
    expect(masked.status).toBe(200);
    const [found] = (masked.json() as { users: Array<Record<string, unknown>> }).users;
    expect(found).toEqual({ id: expect.any(String), email: 'd***@example.com' });
    const full = await c.send('GET', '/v2/users?email=dave@example.com', carol);
    expect((full.json() as { users: unknown[] }).users).toEqual([
      { id: found?.id, email: 'dave@example.com', role: 'user', created_at: expect.any(String) },
    ]);
    for (const res of [masked, full]) expect(res.text).not.toMatch(/argon2|password/i);
    expect((await c.send('GET', '/v2/users?email=nobody@example.com', carol)).json()).toEqual({ users: [] });
    expectProblem(await c.send('GET', '/v2/users?email=not-an-email', alice), 400, 'bad_request');
  });

  it('admin: every user, paginated, and the latest security events, newest first', async () => {
    const first = await c.send('GET', '/admin/users?limit=3', carol);
    expect(first.status).toBe(200);
    const page = first.json() as { users: Array<{ email: string }>; nextCursor: string };
    expect(page.users).toHaveLength(3);
    const rest = (await c.send('GET', `/admin/users?cursor=${page.nextCursor}`, carol)).json() as {
      users: Array<{ email: string }>;
    };
    expect([...page.users, ...rest.users].map((u) => u.email).sort()).toEqual([
      'alice@example.com',
      'bob@example.com',
      'carol@example.com',
      'dave@example.com',
    ]);
    expect(first.text).not.toMatch(/argon2|password/i);
    await c.send('GET', '/v2/notes', { authorization: 'Bearer not.a.token' });
    await c.send('GET', '/admin/events', alice);
    const events = (await c.send('GET', '/admin/events?limit=2', carol)).json() as {
      events: Array<{ type: string; at: number }>;
    };
    expect(events.events.map((e) => e.type)).toEqual(['authz.denied', 'auth.failed']);
    expect(JSON.stringify(events)).not.toContain('not.a.token');
    expectProblem(await c.send('GET', '/admin/events?limit=0', carol), 400, 'bad_request');
  });
});
