import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { unknownKeyCheck } from './key-check.js';
import { strictify } from './schema-walk.js';

const kinds = (schema: z.ZodType) => {
  const check = unknownKeyCheck(strictify(schema));
  return check === undefined ? 'not checkable' : check === null ? 'nothing to check' : 'check';
};

describe('unknownKeyCheck: where zod strict objects can be checked without zod', () => {
  it.each([
    ['an object', z.object({ a: z.string() }), 'check'],
    [
      'arrays and tuples of objects',
      z.object({ a: z.array(z.tuple([z.object({ b: z.number() })]).rest(z.object({}))) }),
      'check',
    ],
    ['wrappers', z.object({ a: z.object({ b: z.string() }).nullable().optional().default({ b: 'x' }) }), 'check'],
    ['primitives and unions of them', z.union([z.string(), z.array(z.number()), z.literal(1)]), 'nothing to check'],
    [
      "a union of objects (which option matched is zod's to know)",
      z.union([z.object({ a: z.string() }), z.object({ b: z.string() })]),
      'not checkable',
    ],
    [
      'a prefault (zod parses its value)',
      z.object({ a: z.object({ b: z.string() }).prefault({ b: 'x' }) }),
      'not checkable',
    ],
    ['a coercing leaf', z.object({ n: z.coerce.number() }), 'not checkable'],
    ['a record', z.record(z.string(), z.object({ a: z.string() })), 'not checkable'],
    ['a loose object', z.looseObject({ a: z.string() }), 'not checkable'],
    ['a declared forbidden key', z.object({ constructor: z.string() }), 'not checkable'],
  ])('%s: %s', (_name, schema, expected) => {
    expect(kinds(schema)).toBe(expected);
  });
});

const schemas: Record<string, z.ZodType> = {
  note: z.object({
    title: z.string().min(1),
    tags: z.array(z.string()).optional(),
    meta: z.object({ pinned: z.boolean(), 'odd "key"\n': z.number().optional() }).optional(),
  }),
  nested: z.array(z.object({ items: z.array(z.object({ x: z.number().nullable() })) })),
  tuple: z.tuple([z.string(), z.object({ a: z.number() })]).rest(z.object({ r: z.boolean() })),
  empty: z.object({ inner: z.object({}) }),
};

/** Values shaped like the schemas above, with unknown keys (odd ones too) sprinkled in. */
const extraKey = fc.constantFrom('extra', '__proto__', 'constructor', 'title', 'x', 'odd "key"\n', '');
const withExtras = (value: unknown): fc.Arbitrary<unknown> => {
  if (Array.isArray(value)) return fc.tuple(...value.map(withExtras)).map((items) => items);
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).map(([k, v]) => withExtras(v).map((w) => [k, w] as const));
    return fc
      .tuple(fc.tuple(...entries), fc.option(extraKey, { freq: 4 }), fc.jsonValue({ maxDepth: 1 }))
      .map(([pairs, extra, extraValue]) => {
        const out: Record<string, unknown> = JSON.parse('{}');
        for (const [k, v] of pairs) out[k] = v;
        if (extra !== null)
          Object.defineProperty(out, extra, {
            value: extraValue,
            enumerable: true,
            writable: true,
            configurable: true,
          });
        return out;
      });
  }
  return fc.constant(value);
};
const samples: Record<string, unknown> = {
  note: { title: 'a', tags: ['x'], meta: { pinned: true, 'odd "key"\n': 1 } },
  nested: [{ items: [{ x: 1 }, { x: null }] }, { items: [] }],
  tuple: ['a', { a: 1 }, { r: true }, { r: false }],
  empty: { inner: {} },
};

describe('the contract: strict accepts exactly when the check passes and the original accepts', () => {
  it.each(Object.keys(schemas))('%s (compiled and closure forms)', (name) => {
    const original = schemas[name] as z.ZodType;
    const strict = strictify(original);
    const compiled = unknownKeyCheck(strict);
    const closure = unknownKeyCheck(strict, { compile: false });
    if (typeof compiled !== 'function' || typeof closure !== 'function') throw new Error('expected a check');
    fc.assert(
      fc.property(fc.oneof(withExtras(samples[name]), fc.jsonValue({ maxDepth: 4 })), (value) => {
        expect(closure(value)).toBe(compiled(value));
        const viaStrict = strict.safeParse(value);
        const viaCheck = compiled(value) ? original.safeParse(value) : undefined;
        expect(viaCheck?.success === true).toBe(viaStrict.success);
        if (viaStrict.success && viaCheck?.success) expect(viaCheck.data).toEqual(viaStrict.data);
      }),
      { numRuns: 1500 },
    );
  });
});
