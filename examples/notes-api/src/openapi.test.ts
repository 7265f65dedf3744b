import { randomUUID } from 'node:crypto';
import { KEY_ID_LENGTH } from '@bulwark/api-keys';
import type { ProbeResponse } from '@bulwark/testkit';
import { compileErrors, validate } from '@readme/openapi-parser';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FRAMEWORKS } from './config.js';
import type { RunningDemo } from './server.js';
import { client, json, startTestDemo } from './test-helpers.js';

// GET /openapi.json (issue 20, section 1): the document validates, and it matches what the
// demo answers: each documented status of a representative set of operations is seen when
// probed for, and every answer a sweep of all operations sees is documented.

interface Operation {
  readonly responses: Record<
    string,
    { headers?: Record<string, { example?: string }>; content?: Record<string, unknown> }
  >;
  readonly security?: unknown[];
  readonly requestBody?: { content: Record<string, unknown> };
  readonly deprecated?: boolean;
}
interface Document {
  readonly paths: Record<string, Record<string, Operation>>;
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
/** Not probed here, with where it is: the validator's 10 s body deadline. */
const NOT_PROBED = new Set(['408']);

const documented = (doc: Document, method: string, template: string): string[] =>
  Object.keys(doc.paths[template]?.[method.toLowerCase()]?.responses ?? {});

/** A concrete path for a template: well-formed ids nobody owns. */
const fill = (template: string) =>
  template.replace('{id}', template.startsWith('/v2/api-keys') ? 'A'.repeat(KEY_ID_LENGTH) : randomUUID());

/** The media type an answer's body was sent as, without parameters. */
const essence = (res: ProbeResponse) => res.header('content-type')?.split(';')[0]?.trim().toLowerCase();

let firstBody: string | undefined;

describe.each(FRAMEWORKS)('notes-api demo on %s: GET /openapi.json', (framework) => {
  let server: RunningDemo;
  let c: ReturnType<typeof client>;
  let doc: Document;
  let ipCount = 0;
  /** A fresh client address per group of probes, so no per-IP budget is shared (TRUST_PROXY=loopback). */
  const ip = () => ({ 'x-forwarded-for': `203.0.113.${++ipCount}` });
  beforeAll(async () => {
    server = await startTestDemo(framework, { TRUST_PROXY: 'loopback' });
    c = client(server);
    const res = await c.send('GET', '/openapi.json', ip());
    doc = res.json() as Document;
  });
  afterAll(() => server?.close());

  it('serves one document, public, JSON, no-store, identical on every framework', async () => {
    const res = await c.send('GET', '/openapi.json', ip());
    expect(res.status).toBe(200);
    expect(essence(res)).toBe('application/json');
    expect(res.header('cache-control')).toBe('no-store');
    expect(res.header('ratelimit-policy')).toBe('"ip";q=1000;w=900');
    expect((res.json() as { openapi: string }).openapi).toBe('3.1.0');
    firstBody ??= res.text;
    expect(res.text).toBe(firstBody);
    // It documents itself, and every route the apps mount.
    expect(documented(doc, 'GET', '/openapi.json')).toEqual(['200', '400', '429']);
    expect(Object.keys(doc.paths)).toContain('/v2/notes/{id}');
  });

  it('each documented status of a representative set of operations occurs when probed', async () => {
    const from = ip();
    const alice = c.bearer(await c.tokenOf('alice', from));
    const bob = c.bearer(await c.tokenOf('bob', from));
    const created = await c.send(
      'POST',
      '/v2/api-keys',
      { ...from, ...json, ...alice },
      '{"name":"w","scopes":["notes:write"]}',
    );
    expect(created.status).toBe(201);
    const writeOnly = { 'x-api-key': (created.json() as { key: string }).key };
    // dave spends his per-user budget: then any /v2 or /admin route of his is 429.
    const dave = c.bearer(await c.tokenOf('dave', from));
    let spent = 0;
    while ((await c.send('GET', '/v2/users/me', { ...from, ...dave })).status !== 429)
      expect(++spent).toBeLessThan(101);
    const note = await c.send('POST', '/v2/notes', { ...from, ...json, ...alice }, '{"title":"t"}');
    const noteId = (note.json() as { id: string }).id;
    const big = JSON.stringify({ title: 'x'.repeat(200_000) });
    const signinIp = ip();

    const probes: Record<string, Record<string, () => Promise<ProbeResponse>>> = {
      'POST /v2/notes': {
        201: () => c.send('POST', '/v2/notes', { ...from, ...json, ...alice }, '{"title":"t"}'),
        400: () => c.send('POST', '/v2/notes', { ...from, ...json, ...alice }, '{'),
        401: () => c.send('POST', '/v2/notes', { ...from, ...json }, '{"title":"t"}'),
        403: () => c.send('POST', '/v2/notes', { ...from, ...json, ...bob }, '{"title":"t"}'),
        413: () => c.send('POST', '/v2/notes', { ...from, ...json, ...alice }, big),
        415: () => c.send('POST', '/v2/notes', { ...from, 'content-type': 'text/plain', ...alice }, '{"title":"t"}'),
        422: () => c.send('POST', '/v2/notes', { ...from, ...json, ...alice }, '{"title":"t","owner":"x"}'),
        429: () => c.send('POST', '/v2/notes', { ...from, ...json, ...dave }, '{"title":"t"}'),
      },
      'GET /v2/notes/{id}': {
        200: () => c.send('GET', `/v2/notes/${noteId}`, { ...from, ...alice }),
        400: () => c.send('GET', '/v2/notes/not-a-uuid', { ...from, ...alice }),
        401: () => c.send('GET', `/v2/notes/${noteId}`, from),
        403: () => c.send('GET', `/v2/notes/${noteId}`, { ...from, ...writeOnly }),
        404: () => c.send('GET', `/v2/notes/${noteId}`, { ...from, ...bob }),
        429: () => c.send('GET', `/v2/notes/${noteId}`, { ...from, ...dave }),
      },
      'GET /v1/notes': {
        200: () => c.send('GET', '/v1/notes', { ...from, ...alice }),
        400: () => c.send('GET', '/v1/notes?limit=0', { ...from, ...alice }),
        401: () => c.send('GET', '/v1/notes', from),
        403: () => c.send('GET', '/v1/notes', { ...from, ...writeOnly }),
        // /v1 is under the per-IP tier only: an address that spent its 1000 gets 429.
        429: async () => {
          const spender = ip();
          let sent = 0;
          while ((await c.send('GET', '/nope', spender)).status !== 429) expect(++sent).toBeLessThan(1001);
          return c.send('GET', '/v1/notes', { ...spender, ...alice });
        },
      },
      'POST /auth/login': {
        200: () => c.login('bob@example.com', 'bob-demo-password', from),
        400: () => c.send('POST', '/auth/login', { ...from, ...json }, '{'),
        401: () => c.login('bob@example.com', 'wrong-password', ip()),
        413: () => c.send('POST', '/auth/login', { ...from, ...json }, big),
        415: () => c.send('POST', '/auth/login', { ...from, 'content-type': 'text/plain' }, '{}'),
        422: () => c.send('POST', '/auth/login', { ...from, ...json }, '{}'),
        429: async () => {
          let res: ProbeResponse;
          do res = await c.send('POST', '/auth/login', { ...signinIp, ...json }, '{}');
          while (res.status === 422);
          return res;
        },
      },
      'GET /health': {
        200: () => c.send('GET', '/health', from),
        // A body on a route that takes none.
        400: () => c.send('GET', '/health', { ...from, ...json }, '{}'),
      },
    };
    for (const [operation, byStatus] of Object.entries(probes)) {
      const [method, template] = operation.split(' ') as [string, string];
      const statuses = documented(doc, method, template).filter((status) => !NOT_PROBED.has(status));
      // The probes cover exactly what is documented: a status added to the document needs a probe.
      expect(Object.keys(byStatus).sort(), operation).toEqual(statuses.sort());
      for (const [status, probe] of Object.entries(byStatus)) {
        const res = await probe();
        expect(`${operation} -> ${res.status}`).toBe(`${operation} -> ${status}`);
        const response = doc.paths[template]?.[method.toLowerCase()]?.responses[status];
        if (res.text !== '')
          expect(Object.keys(response?.content ?? {}), `${operation} ${status}`).toContain(essence(res));
        // The documented headers are sent (the challenge only where every code carries one),
        // with the documented value where it is fixed.
        for (const name of ['RateLimit-Policy', 'Deprecation', 'Sunset', 'Link', 'WWW-Authenticate', 'Retry-After']) {
          const header = response?.headers?.[name];
          if (header === undefined || (name === 'WWW-Authenticate' && status === '400')) continue;
          expect(res.header(name), `${operation} ${status} ${name}`).toBeDefined();
          if (['Deprecation', 'Sunset', 'Link'].includes(name)) expect(res.header(name)).toBe(header.example);
        }
      }
    }
    // The success answers' RateLimit-Policy is the one documented.
    const ok = await c.send('POST', '/v2/notes', { ...ip(), ...json, ...alice }, '{"title":"t"}');
    expect(ok.header('ratelimit-policy')).toBe(
      doc.paths['/v2/notes']?.post?.responses['201']?.headers?.['RateLimit-Policy']?.example,
    );
  });

  it('every answer a sweep of all operations sees is documented, in a documented media type', async () => {
    const from = ip();
    const bob = c.bearer(await c.tokenOf('bob', from));
    const unseen: string[] = [];
    for (const [template, item] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        const path = fill(template);
        const upper = method.toUpperCase();
        const withBody = operation.requestBody !== undefined;
        const type = Object.keys(operation.requestBody?.content ?? {})[0] === FORM['content-type'] ? FORM : json;
        const requests: Array<[string, Record<string, string>, string | undefined]> = [
          ['no credential', {}, withBody ? (type === FORM ? 'a=1' : '{}') : undefined],
          ['malformed bearer', { authorization: 'Bearer a b' }, undefined],
          ['bob', bob, withBody ? (type === FORM ? 'a=1' : '{"title":"t"}') : undefined],
          ['a wrong content type', { ...bob, 'content-type': 'text/plain' }, 'x'],
          ['malformed body', { ...bob, ...type }, '{'],
          ['unknown field', { ...bob, ...type }, type === FORM ? 'zz=1' : '{"zz":1}'],
          ['an oversized body', { ...bob, ...type }, 'x'.repeat(120_000)],
          ['a bad query', bob, undefined],
        ];
        // Logging bob out would turn the rest of the sweep into 401s.
        if (template === '/auth/logout') requests.splice(2);
        for (const [what, headers, body] of requests) {
          const target = what === 'a bad query' ? `${path}?limit=0&cursor=%%` : path;
          const sendHeaders = body !== undefined && !('content-type' in headers) ? { ...headers, ...type } : headers;
          const res = await c.send(upper, target, { ...from, ...sendHeaders }, body);
          const response = operation.responses[String(res.status)];
          if (response === undefined) unseen.push(`${upper} ${template} (${what}) -> ${res.status}`);
          else if (res.text !== '' && !Object.keys(response.content ?? {}).includes(essence(res) ?? ''))
            unseen.push(`${upper} ${template} (${what}) -> ${res.status} as ${essence(res)}`);
        }
      }
    }
    expect(unseen).toEqual([]);
  });
});

describe('the demo document', () => {
  it('passes two maintained OpenAPI 3.1 validators (the schema, then the rules it cannot express)', async () => {
    const server = await startTestDemo('hono');
    try {
      const doc = (await client(server).send('GET', '/openapi.json')).json() as Record<string, unknown>;
      const schema = await new Validator().validate(structuredClone(doc));
      expect(schema.errors ?? []).toEqual([]);
      expect(schema.valid).toBe(true);
      const spec = await validate(structuredClone(doc) as never);
      expect(spec.valid ? '' : compileErrors(spec)).toBe('');
      expect(spec.warnings).toEqual([]);
    } finally {
      await server.close();
    }
  });
});
