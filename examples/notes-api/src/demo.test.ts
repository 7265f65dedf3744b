import { expectProblem, expectProfile, sendProbe } from '@bulwark/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Listening } from './apps/types.js';
import { FRAMEWORKS, readConfig } from './config.js';
import { startDemo } from './server.js';

const UI = 'http://localhost:5173';
const json = { 'content-type': 'application/json' };

describe.each(FRAMEWORKS)('notes-api demo on %s', (framework) => {
  let server: Listening;
  beforeAll(async () => {
    server = await startDemo({ ...readConfig({}), framework, port: 0, onError: () => {} });
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
    const list = await send('GET', '/v2/notes', { origin: UI });
    expect(list.status).toBe(200);
    expect(list.header('cache-control')).toBe('no-store');
    expect(list.header('access-control-allow-origin')).toBe(UI);
    expect((list.json() as { notes: unknown[] }).notes).toContainEqual(note);
    const one = await send('GET', `/v2/notes/${note.id}`);
    expect(one.json()).toEqual(note);
    expectProblem(await send('GET', '/v2/notes/999999'), 404, 'not_found');
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

describe('demo configuration', () => {
  it('refuses an unknown framework and bad ports', () => {
    expect(() => readConfig({ FRAMEWORK: 'nest' })).toThrow(/FRAMEWORK/);
    expect(() => readConfig({ PORT: 'x' })).toThrow(/PORT/);
    expect(readConfig({ CORS_ORIGINS: 'https://a.example, https://b.example' }).corsOrigins).toEqual([
      'https://a.example',
      'https://b.example',
    ]);
  });
});
