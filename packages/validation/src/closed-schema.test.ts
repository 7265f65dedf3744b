import { requestView } from '@bulwark/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { requestValidator } from './index.js';
import { closedDepth, strictify } from './schema-walk.js';
import { problemOf } from './test-helpers.js';

const enc = (text: string) => new TextEncoder().encode(text);
const view = requestView({ method: 'POST', path: '/v2/notes', headers: { 'content-type': 'application/json' } });
const closed = (schema: z.ZodType) => closedDepth(strictify(schema));

describe('closedDepth: which body schemas let the validator walk only on failure', () => {
  it.each([
    ['a string', z.string().min(1), 0],
    ['an enum or literal', z.union([z.enum(['a', 'b']), z.literal(3), z.null()]), 0],
    ['an object', z.object({ a: z.string() }), 1],
    ['nested objects and arrays', z.object({ a: z.array(z.object({ b: z.array(z.number()) })).optional() }), 4],
    ['a union of objects', z.union([z.object({ a: z.string() }), z.object({ b: z.object({ c: z.boolean() }) })]), 2],
    ['a tuple', z.tuple([z.string(), z.object({ a: z.number() })]), 2],
    ['wrappers', z.object({ a: z.string().nullable().default('x').readonly() }), 1],
    ['a refined object', z.object({ a: z.string() }).refine(() => true), 1],
  ])('closed: %s (depth %i)', (_name, schema, depth) => {
    expect(closed(schema)).toBe(depth);
  });

  it.each([
    ['a loose object', z.looseObject({ a: z.string() })],
    ['an object with a catchall', z.object({ a: z.string() }).catchall(z.string())],
    ['a record', z.record(z.string(), z.string())],
    ['any and unknown', z.object({ a: z.any(), b: z.unknown() })],
    ['a transform', z.object({ a: z.string() }).transform((v) => v)],
    ['a preprocess', z.preprocess((v) => v, z.object({ a: z.string() }))],
    ['a catch (turns a failure into success)', z.object({ a: z.string() }).catch({ a: 'x' })],
    ['a coercing number (accepts [[["5"]]])', z.object({ n: z.coerce.number() })],
    ['a coercing boolean (accepts any object)', z.object({ b: z.coerce.boolean() })],
    ['a declared forbidden key', z.object({ constructor: z.string() })],
    ['a lazy (recursive) schema', z.lazy(() => z.object({ a: z.string() }))],
    ['an intersection', z.intersection(z.object({ a: z.string() }), z.object({ b: z.string() }))],
    ['a union with one open option', z.union([z.object({ a: z.string() }), z.record(z.string(), z.number())])],
    ['a tuple with an open rest', z.tuple([z.string()]).rest(z.any())],
  ])('open: %s', (_name, schema) => {
    expect(closed(schema)).toBeUndefined();
  });
});

/** The same schema, made open: a pipe through an identity transform makes the validator walk first. */
const forcedOpen = (schema: z.ZodType) => schema.transform((value) => value);

const schemas: Record<string, z.ZodType> = {
  note: z.object({
    title: z.string().min(1).max(200),
    body: z.string().max(10_000).optional(),
    tags: z.array(z.string().max(32)).max(10).optional(),
    meta: z.object({ pinned: z.boolean(), color: z.enum(['red', 'green']) }).optional(),
  }),
  union: z.union([z.object({ kind: z.literal('a'), a: z.array(z.number()) }), z.object({ kind: z.literal('b') })]),
  tuple: z.tuple([z.string(), z.object({ n: z.number().nullable() })]),
  nested: z.array(z.array(z.object({ x: z.array(z.boolean()).optional() }))),
};

/** JSON text with forbidden keys (escaped spellings too) and deep nesting mixed in. */
const hostileJson = fc.oneof(
  fc.json({ maxDepth: 4 }),
  fc.constantFrom(
    '{"title":"a","__proto__":{"admin":true}}',
    '{"title":"a","meta":{"pinned":true,"color":"red","constructor":1}}',
    '{"title":"a","\\u0070rototype":1}',
    '["a",{"n":1,"__proto__":null}]',
    '[[{"x":[true],"constructor":{}}]]',
    '{"kind":"b","prototype":{}}',
    `${'['.repeat(40)}${']'.repeat(40)}`,
    `{"title":"a","meta":${'{"a":'.repeat(40)}1${'}'.repeat(40)}}`,
    `[${'['.repeat(35)}${']'.repeat(35)}]`,
  ),
  fc
    .record({ title: fc.string(), meta: fc.record({ pinned: fc.boolean(), color: fc.constantFrom('red', 'green') }) })
    .chain((base) =>
      fc
        .constantFrom('__proto__', 'constructor', 'prototype', 'extra')
        .map((key) => JSON.stringify(base).replace('"pinned"', `"${key}":{},"pinned"`)),
    ),
);

describe('a closed schema answers exactly like a walk-first one', () => {
  it.each(Object.entries(schemas))('%s', (_name, schema) => {
    const lazyWalk = requestValidator({ body: schema, maxDepth: 32 });
    const walkFirst = requestValidator({ body: forcedOpen(schema), maxDepth: 32 });
    expect(closed(schema)).toBeDefined();
    fc.assert(
      fc.property(hostileJson, (text) => {
        const a = lazyWalk.validate({ view, rawQuery: '', params: {}, body: enc(text) });
        const b = walkFirst.validate({ view, rawQuery: '', params: {}, body: enc(text) });
        expect(a.ok).toBe(b.ok);
        if (a.ok && b.ok) expect(a.data).toEqual(b.data);
        if (!a.ok && !b.ok) {
          expect(a.decision.status).toBe(b.decision.status);
          expect(problemOf(a.decision)).toEqual(problemOf(b.decision));
        }
      }),
      { numRuns: 1500 },
    );
  });

  it('still answers 400 for a forbidden key and for deep nesting under a closed schema', () => {
    const v = requestValidator({ body: schemas.note as z.ZodType });
    const answer = (text: string) => v.validate({ view, rawQuery: '', params: {}, body: enc(text) });
    for (const text of [
      '{"title":"a","__proto__":{"admin":true}}',
      '{"title":"a","meta":{"pinned":true,"color":"red","constructor":{}}}',
    ]) {
      const r = answer(text);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(problemOf(r.decision).detail).toMatch(/forbidden key/);
    }
    const deep = answer(`{"title":"a","tags":${'['.repeat(50)}${']'.repeat(50)}}`);
    expect(!deep.ok && deep.decision.status).toBe(400);
    expect(!deep.ok && problemOf(deep.decision).detail).toMatch(/nests deeper/);
  });

  it('walks first when the schema is deeper than maxDepth', () => {
    const deepSchema = z.object({ a: z.object({ b: z.object({ c: z.string() }) }) });
    const v = requestValidator({ body: deepSchema, maxDepth: 2 });
    const r = v.validate({ view, rawQuery: '', params: {}, body: enc('{"a":{"b":{"c":"x"}}}') });
    expect(!r.ok && problemOf(r.decision).detail).toMatch(/nests deeper than 2/);
  });
});

describe('recursive schemas (zod 4 getters)', () => {
  const Category = z.object({
    name: z.string(),
    get subcategories() {
      return z.array(Category).optional();
    },
  });
  const nest = (levels: number): unknown =>
    levels === 0 ? { name: 'leaf' } : { name: `n${levels}`, subcategories: [nest(levels - 1)] };

  it('builds (no stack overflow), stays strict at every level, and walks first', () => {
    const v = requestValidator({ body: Category });
    expect(closed(Category)).toBeUndefined();
    const answer = (body: unknown) => v.validate({ view, rawQuery: '', params: {}, body: enc(JSON.stringify(body)) });
    const ok = answer(nest(3));
    expect(ok.ok && ok.data.body).toEqual(nest(3));
    const unknown = answer({ name: 'a', subcategories: [{ name: 'b', extra: 1 }] });
    expect(!unknown.ok && unknown.decision.status).toBe(422);
    expect(!unknown.ok && problemOf(unknown.decision).errors).toEqual([
      { pointer: '/subcategories/0/extra', detail: 'Unknown field.', in: 'body' },
    ]);
    const hostile = v.validate({
      view,
      rawQuery: '',
      params: {},
      body: enc('{"name":"a","subcategories":[{"name":"b","__proto__":{}}]}'),
    });
    expect(!hostile.ok && hostile.decision.status).toBe(400);
    const deep = answer(nest(40));
    expect(!deep.ok && problemOf(deep.decision).detail).toMatch(/nests deeper/);
  });
});
