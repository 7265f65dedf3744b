import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseJsonBody } from './json.js';

const enc = (text: string) => new TextEncoder().encode(text);
const isWellFormed = (text: string) => (text as unknown as { isWellFormed(): boolean }).isWellFormed();

/** Every string of a JSON value, member names included. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (typeof value === 'object' && value !== null)
    return Object.entries(value).flatMap(([key, item]) => [key, ...strings(item)]);
  return [];
}

describe('parseJsonBody: lone surrogates', () => {
  it('refuses a lone surrogate escape anywhere, in either case, and accepts a pair', () => {
    for (const text of [
      '"\\ud800"',
      '"\\uDFFF"',
      '"a\\udc00b"',
      '"\\ude00\\ud83d"',
      '{"\\ud800":1}',
      '{"a":[1,{"b":"\\udbff"}]}',
      '["\\ud83d"]',
    ])
      expect(parseJsonBody(enc(text), 32), text).toEqual({ ok: false, reason: 'surrogate' });
    expect(parseJsonBody(enc('"\\ud83d\\ude00"'), 32)).toEqual({ ok: true, value: '\u{1F600}' });
    // An escaped backslash followed by "ud800" is six plain characters.
    expect(parseJsonBody(enc('"\\\\ud800"'), 32)).toEqual({ ok: true, value: '\\ud800' });
    expect(parseJsonBody(enc('"\\u00e9 \\ufffd"'), 32)).toEqual({ ok: true, value: '\u00e9 \ufffd' });
  });

  it('refuses exactly the values with a string that is not well-formed UTF-16 (property)', () => {
    const codeUnits = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) });
    const surrogateHeavy = fc.string({
      unit: fc.constantFrom('\ud800', '\udbff', '\udc00', '\udfff', 'a', '\u{1F600}'),
      maxLength: 6,
    });
    const text = fc.oneof(codeUnits, surrogateHeavy);
    const json = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        text,
        fc.integer(),
        fc.array(tie('value'), { maxLength: 4 }),
        fc.dictionary(text, tie('value'), { maxKeys: 4 }),
      ),
    })).value;
    fc.assert(
      fc.property(json, (value) => {
        const result = parseJsonBody(enc(JSON.stringify(value)), 32);
        const wellFormed = strings(value).every(isWellFormed);
        if (wellFormed) expect(result).toEqual({ ok: true, value: JSON.parse(JSON.stringify(value)) });
        else expect(result).toEqual({ ok: false, reason: 'surrogate' });
      }),
      { numRuns: 1000 },
    );
  });

  it('bounds the surrogate walk by maxDepth: deep nesting is refused, never a stack overflow', () => {
    const deep = `${'['.repeat(100_000)}"\\ud800"${']'.repeat(100_000)}`;
    expect(parseJsonBody(enc(deep), 32)).toEqual({ ok: false, reason: 'depth' });
  });
});

describe('parseJsonBody: duplicate member names (kept, last wins)', () => {
  it('reads duplicates as JSON.parse does, at any depth', () => {
    expect(parseJsonBody(enc('{"a":1,"a":2}'), 32)).toEqual({ ok: true, value: { a: 2 } });
    expect(parseJsonBody(enc('{"x":{"a":"first","b":0,"a":"last"}}'), 32)).toEqual({
      ok: true,
      value: { x: { a: 'last', b: 0 } },
    });
    // An escaped spelling is the same name.
    expect(parseJsonBody(enc('{"a":1,"\\u0061":2}'), 32)).toEqual({ ok: true, value: { a: 2 } });
  });

  it('still refuses a forbidden key given twice or hidden behind a duplicate', () => {
    expect(parseJsonBody(enc('{"__proto__":{},"__proto__":1}'), 32)).toEqual({ ok: false, reason: 'forbidden_key' });
    expect(parseJsonBody(enc('{"a":{"constructor":1},"a":2}'), 32)).toEqual({ ok: true, value: { a: 2 } });
  });
});
