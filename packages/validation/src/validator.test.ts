import { requestView, type SecurityEvent } from '@bulwark/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  decodeCursor,
  encodeCursor,
  paginationQuery,
  parseJsonBody,
  parseQuery,
  requestValidator,
  schemasOf,
} from './index.js';
import { isIdentityEncoding } from './media-type.js';
import { problemOf } from './test-helpers.js';

const enc = (text: string) => new TextEncoder().encode(text);
const view = (headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  requestView({ method: 'POST', path: '/v2/notes', headers });
const note = z.object({
  title: z.string().min(1).max(200),
  body: z.string().max(10_000).optional(),
  tags: z.array(z.string().max(32)).max(10).optional(),
  meta: z.object({ pinned: z.boolean() }).optional(),
});

function run(validator: ReturnType<typeof requestValidator>, body: string, rawQuery = '', params = {}) {
  return validator.validate({ view: view(), rawQuery, params, body: enc(body) });
}

describe('checkHead', () => {
  const v = requestValidator({ body: note });
  it.each([
    ['no content type', {}, 415],
    ['text/plain', { 'content-type': 'text/plain' }, 415],
    ['form', { 'content-type': 'application/x-www-form-urlencoded' }, 415],
    ['latin-1 JSON', { 'content-type': 'application/json; charset=iso-8859-1' }, 415],
    ['an oversized Content-Length', { 'content-type': 'application/json', 'content-length': String(200 * 1024) }, 413],
    ['a bogus Content-Length', { 'content-type': 'application/json', 'content-length': '12, 13' }, 400],
    ['a gzip body', { 'content-type': 'application/json', 'content-encoding': 'gzip' }, 415],
    ['a body coded twice', { 'content-type': 'application/json', 'content-encoding': 'identity, br' }, 415],
  ])('refuses %s', (_name, headers, status) => {
    expect(v.checkHead(view(headers as Record<string, string>))?.status).toBe(status);
  });
  it('accepts JSON with a UTF-8 charset and lists accepted types on 415', () => {
    expect(v.checkHead(view({ 'content-type': 'Application/JSON; charset="UTF-8"' }))).toBeUndefined();
    expect(problemOf(v.checkHead(view({ 'content-type': 'text/plain' }))).accepted).toEqual(['application/json']);
  });
  it('accepts an identity coding and names it on a coding 415', () => {
    for (const coding of ['identity', 'IDENTITY', '', ' identity , identity'])
      expect(v.checkHead(view({ 'content-type': 'application/json', 'content-encoding': coding }))).toBeUndefined();
    const refused = v.checkHead(view({ 'content-type': 'application/json', 'content-encoding': 'gzip' }));
    expect(refused?.headers).toContainEqual(['accept-encoding', 'identity']);
    expect(problemOf(refused).code).toBe('unsupported_media_type');
    expect(JSON.stringify(problemOf(refused))).not.toContain('gzip');
  });
  it('reads Content-Encoding as a list of codings (property)', () => {
    const coding = fc.constantFrom('', ' ', 'identity', 'IDENTITY', ' identity ', 'gzip', 'br', 'deflate', 'x');
    fc.assert(
      fc.property(fc.array(coding, { maxLength: 4 }), (codings) => {
        const plain = codings.every((c) => ['', 'identity'].includes(c.trim().toLowerCase()));
        expect(isIdentityEncoding(codings.join(','))).toBe(plain);
      }),
    );
    fc.assert(
      fc.property(fc.string(), (header) => {
        expect(typeof isIdentityEncoding(header)).toBe('boolean');
      }),
    );
  });
  it('closes the connection on 413', () => {
    expect(v.tooLarge(view()).headers).toContainEqual(['connection', 'close']);
  });
});

describe('body validation', () => {
  const v = requestValidator({ body: note });
  it('returns typed, parsed data', () => {
    const r = run(v, '{"title":"a","tags":["x"],"meta":{"pinned":true}}');
    expect(r).toEqual({
      ok: true,
      data: {
        body: { title: 'a', tags: ['x'], meta: { pinned: true } },
        query: undefined,
        params: undefined,
        headers: undefined,
      },
    });
  });

  it.each([
    ['malformed JSON', '{"title":', /not valid JSON/],
    ['an empty body', '', /not valid JSON/],
    ['__proto__', '{"title":"a","__proto__":{"admin":true}}', /forbidden key/],
    ['an escaped __proto__', '{"title":"a","\\u005f_proto__":{"admin":true}}', /forbidden key/],
    ['nested constructor.prototype', '{"title":"a","meta":{"constructor":{"prototype":{}}}}', /forbidden key/],
    ['deep nesting', `{"title":"a","x":${'['.repeat(40)}${']'.repeat(40)}}`, /deeper than 32/],
  ])('answers 400 for %s', (_name, body, detail) => {
    const r = run(v, body);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.decision.status).toBe(400);
    expect(problemOf(r.decision).detail).toMatch(detail);
  });

  it('answers 400 for invalid UTF-8', () => {
    const r = v.validate({
      view: view(),
      rawQuery: '',
      params: {},
      body: Uint8Array.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
    });
    expect(!r.ok && r.decision.status).toBe(400);
  });

  it('answers 422 with JSON pointers for schema errors, without echoing values', () => {
    const r = run(
      v,
      '{"title":"","role":"admin","tags":["ok","a-very-long-tag-that-goes-beyond-32-chars"],"meta":{"pinned":"yes","x":1}}',
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.decision.status).toBe(422);
    expect(problemOf(r.decision).errors).toEqual(
      expect.arrayContaining([
        { pointer: '/title', detail: 'Must have at least 1 character.', in: 'body' },
        { pointer: '/tags/1', detail: 'Must have at most 32 characters.', in: 'body' },
        { pointer: '/meta/pinned', detail: 'Expected boolean.', in: 'body' },
        { pointer: '/role', detail: 'Unknown field.', in: 'body' },
        { pointer: '/meta/x', detail: 'Unknown field.', in: 'body' },
      ]),
    );
    const text = JSON.stringify(problemOf(r.decision));
    expect(text).not.toContain('admin');
    expect(text).not.toContain('a-very-long-tag');
    expect(text).not.toContain('yes');
  });

  it('does not repeat a field name longer than 100 characters: the pointer stops at its parent', () => {
    const long = 'k'.repeat(90_000);
    const r = run(v, JSON.stringify({ title: 'x', meta: { pinned: true, [long]: 1 }, [`${'n'.repeat(100)}`]: 1 }));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const { errors } = problemOf(r.decision) as unknown as { errors: Array<{ pointer: string; detail: string }> };
    expect(errors).toEqual([
      {
        pointer: '/meta',
        detail: 'Unknown field. (A field name under this one is longer than 100 characters and not repeated.)',
        in: 'body',
      },
      // Exactly 100 characters: still repeated.
      { pointer: `/${'n'.repeat(100)}`, detail: 'Unknown field.', in: 'body' },
    ]);
    expect(JSON.stringify(problemOf(r.decision)).length).toBeLessThan(2_000);
    // A record's key is a name too, in the pointer of the error under it.
    const tags = requestValidator({ body: z.object({ labels: z.record(z.string(), z.number()) }) });
    const bad = run(tags, JSON.stringify({ labels: { [long]: 'not a number' } }));
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect((problemOf(bad.decision) as unknown as { errors: Array<{ pointer: string }> }).errors[0]?.pointer).toBe(
      '/labels',
    );
    // A query parameter's name, given twice.
    const q = requestValidator({ query: z.object({}).loose() });
    const twice = q.validate({ view: view(), rawQuery: `${long}=1&${long}=2`, params: {}, body: undefined });
    expect(twice.ok).toBe(false);
    if (twice.ok) return;
    expect(JSON.stringify(problemOf(twice.decision)).length).toBeLessThan(2_000);
  });

  it('reports a missing field as required', () => {
    const r = run(v, '{}');
    expect(!r.ok && problemOf(r.decision).errors).toEqual([{ pointer: '/title', detail: 'Required.', in: 'body' }]);
  });

  it('lets a schema opt out of strictness with looseObject', () => {
    const loose = requestValidator({ body: z.looseObject({ title: z.string() }) });
    expect(run(loose, '{"title":"a","extra":1}').ok).toBe(true);
  });

  it('emits a validation event without values', () => {
    const events: SecurityEvent[] = [];
    const withEvents = requestValidator({ body: note, onEvent: (e) => events.push(e), clock: { now: () => 5 } });
    run(withEvents, '{"title":1}');
    expect(events).toEqual([
      {
        type: 'validation.failed',
        at: 5,
        target: 'body',
        status: 422,
        errorCount: 1,
        method: 'POST',
        path: '/v2/notes',
      },
    ]);
  });
});

describe('query, params and headers', () => {
  const v = requestValidator({
    query: z.object({
      limit: z.number().int().min(1).max(100).default(20),
      active: z.boolean().optional(),
      tag: z.array(z.string()).optional(),
      q: z.string().optional(),
    }),
    params: z.object({ id: z.number().int().positive() }),
    headers: z.object({ 'x-request-id': z.string().uuid().optional() }),
  });
  const go = (rawQuery: string, params: Record<string, string> = { id: '7' }, headers: Record<string, string> = {}) =>
    v.validate({ view: requestView({ method: 'GET', path: '/', headers }), rawQuery, params, body: undefined });

  it('coerces numbers and booleans where the schema says so', () => {
    expect(go('limit=5&active=false&tag=a&tag=b&q=1')).toMatchObject({
      ok: true,
      data: { query: { limit: 5, active: false, tag: ['a', 'b'], q: '1' }, params: { id: 7 } },
    });
    expect(go('')).toMatchObject({ ok: true, data: { query: { limit: 20 } } });
  });

  it.each([
    ['a number out of range', 'limit=1000'],
    ['a non-number', 'limit=ten'],
    ['a hex number', 'limit=0x10'],
    ['a repeated scalar', 'limit=1&limit=2'],
    ['an unknown parameter', 'admin=1'],
    ['malformed percent-encoding', 'q=%E0%A4%A'],
    ['__proto__', '__proto__=x'],
  ])('answers 400 for %s', (_name, query) => {
    const r = go(query);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.decision.status).toBe(400);
    if (!r.ok) expect(problemOf(r.decision).detail).toBe('The query string is not valid.');
  });

  it('validates params and headers with 400', () => {
    expect(!go('', { id: 'abc' }).ok).toBe(true);
    const params = go('', { id: 'abc' });
    expect(!params.ok && problemOf(params.decision).detail).toBe('The path parameters are not valid.');
    const r = go('', { id: '7' }, { 'x-request-id': 'not-a-uuid' });
    expect(!r.ok && problemOf(r.decision).errors).toEqual([
      { pointer: '/x-request-id', detail: 'Must be a valid uuid.', in: 'headers' },
    ]);
  });
});

describe('output filtering', () => {
  it('drops undeclared fields and refuses values that do not match', () => {
    const v = requestValidator({ output: z.object({ id: z.string(), title: z.string() }) });
    expect(v.filterOutput({ id: '1', title: 't', passwordHash: 'x', ownerId: 'u' })).toEqual({ id: '1', title: 't' });
    expect(() => v.filterOutput({ id: 1 })).toThrow(/output schema/);
  });
});

describe('configuration', () => {
  it('refuses bad options', () => {
    expect(() => requestValidator({ body: {} as never })).toThrow(/body/);
    expect(() => requestValidator({ body: note, accepts: ['text/plain'] })).toThrow(/accepts\[0\]/);
    expect(() => requestValidator({ body: note, bodyLimit: '1gigabyte' })).toThrow(/bodyLimit/);
    expect(() => requestValidator({ query: z.string() })).toThrow(/query/);
    expect(() => requestValidator({ headers: z.object({ 'X-Id': z.string() }) })).toThrow(/headers.X-Id/);
    expect(() => requestValidator({ bodyLimt: 1 } as never)).toThrow(/bodyLimt/);
  });
});

describe('pagination', () => {
  it('bounds limit and takes an opaque cursor', () => {
    const v = requestValidator({ query: paginationQuery() });
    const go = (q: string) =>
      v.validate({ view: requestView({ method: 'GET', path: '/' }), rawQuery: q, params: {}, body: undefined });
    expect(go('')).toMatchObject({ ok: true, data: { query: { limit: 20 } } });
    expect(go('limit=0').ok).toBe(false);
    expect(go('limit=101').ok).toBe(false);
    expect(go('cursor=abc$').ok).toBe(false);
    const cursor = encodeCursor({ after: 42 });
    expect(go(`cursor=${cursor}`)).toMatchObject({ ok: true, data: { query: { cursor } } });
    expect(decodeCursor(cursor)).toEqual({ after: 42 });
    expect(decodeCursor('!!')).toBeUndefined();
  });
});

describe('parsers never throw (property)', () => {
  const v = requestValidator({ body: note, query: paginationQuery() });
  it('arbitrary bytes as a body give ok, 400 or 422', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const r = v.validate({ view: view(), rawQuery: '', params: {}, body: bytes });
        if (!r.ok) expect([400, 422]).toContain(r.decision.status);
      }),
      { numRuns: 3000 },
    );
  });
  it('arbitrary JSON as a body gives ok or 422, never a prototype change', () => {
    fc.assert(
      fc.property(fc.json({ maxDepth: 6 }), (text) => {
        const r = v.validate({ view: view(), rawQuery: '', params: {}, body: enc(text) });
        if (!r.ok) expect([400, 422]).toContain(r.decision.status);
        expect(({} as Record<string, unknown>).admin).toBeUndefined();
      }),
      { numRuns: 2000 },
    );
  });
  it('arbitrary query strings give ok or 400', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 120 }), (raw) => {
        const r = v.validate({ view: view(), rawQuery: raw, params: {}, body: enc('{"title":"x"}') });
        if (!r.ok) expect(r.decision.status).toBe(400);
      }),
      { numRuns: 3000 },
    );
  });
  it('parseJsonBody agrees with JSON.parse on generated JSON without forbidden keys', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 5 }), (value) => {
        const text = JSON.stringify(value);
        const r = parseJsonBody(enc(text), 32);
        if (/__proto__|constructor|prototype/.test(text)) return;
        expect(r).toEqual({ ok: true, value: JSON.parse(text) });
      }),
      { numRuns: 2000 },
    );
  });
  it('parseQuery keeps the last word on repeated keys: an error unless an array', () => {
    const schema = z.object({ a: z.string(), b: z.array(z.string()) });
    expect(parseQuery('a=1&a=2', schema).ok).toBe(false);
    expect(parseQuery('b=1&b=2', schema)).toEqual({
      ok: true,
      value: Object.assign(Object.create(null), { b: ['1', '2'] }),
    });
  });
});

describe('schemasOf', () => {
  it('gives the schemas as enforced (strict copies), the media types and the limits; nothing for a hand-written validator', () => {
    const body = z.object({ title: z.string() });
    const described = schemasOf(requestValidator({ body, bodyLimit: '4kb', query: z.object({ q: z.string() }) }));
    expect(described?.bodyType).toBe('json');
    expect(described?.accepts).toEqual(['application/json']);
    expect(described?.bodyLimit).toBe(4096);
    expect(described?.errorFormat).toBe('problem');
    // The strict copy refuses what the given schema would strip.
    expect(body.safeParse({ title: 't', extra: 1 }).success).toBe(true);
    expect(described?.body?.safeParse({ title: 't', extra: 1 }).success).toBe(false);
    expect(described?.output).toBeUndefined();
    expect(Object.isFrozen(described)).toBe(true);
    const form = schemasOf(requestValidator({ bodyType: 'form', body: z.object({ a: z.string() }) }));
    expect(form?.accepts).toEqual(['application/x-www-form-urlencoded']);
    expect(schemasOf({ hasBody: false } as never)).toBeUndefined();
  });
});
