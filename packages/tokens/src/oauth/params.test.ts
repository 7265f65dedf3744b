import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseScope, readParams } from './params.js';

describe('readParams (RFC 6749 §3.1: no repeats, an empty value is omitted)', () => {
  it('reads single values; [x] counts as sent once; an empty value is absent', () => {
    const params = readParams({ a: 'x', b: ['y'], c: '', d: undefined, e: [] });
    expect([params.get('a'), params.get('b'), params.get('c'), params.get('d'), params.get('e')]).toEqual([
      'x',
      'y',
      undefined,
      undefined,
      undefined,
    ]);
    expect(params.malformed).toBe(false);
  });

  it('marks repeated and non-string parameters, and only those', () => {
    const params = readParams({ a: ['x', 'y'], b: 5 as never, c: [{}] as never, d: 'ok' });
    expect(params.malformed).toBe(true);
    expect(['a', 'b', 'c', 'd'].map((n) => params.repeated(n))).toEqual([true, true, true, false]);
    expect(params.get('a')).toBeUndefined();
    expect(params.get('d')).toBe('ok');
  });

  it('reads own members only: __proto__ and constructor are plain names', () => {
    const parsed = JSON.parse('{"__proto__": "p", "constructor": "c"}');
    const params = readParams(parsed);
    expect([params.get('__proto__'), params.get('constructor'), params.get('toString')]).toEqual(['p', 'c', undefined]);
  });

  it('takes a non-object as malformed (undefined as empty)', () => {
    for (const value of [null, 'a=b', 5, []]) expect(readParams(value as never).malformed).toBe(true);
    expect(readParams(undefined as never).malformed).toBe(false);
  });
});

describe('parseScope (RFC 6749 §3.3)', () => {
  const token = fc.string({ unit: fc.constantFrom(...'abcXYZ019:!#[]^~'), minLength: 1, maxLength: 8 });
  it('parses any single-space-joined list of scope tokens, dropping duplicates in order', () => {
    fc.assert(
      fc.property(fc.array(token, { minLength: 1, maxLength: 6 }), (tokens) => {
        expect(parseScope(tokens.join(' '))).toEqual([...new Set(tokens)]);
      }),
    );
  });

  it('refuses double, leading and trailing spaces, quotes, backslashes, controls and non-ASCII', () => {
    for (const text of ['a  b', ' a', 'a ', '', 'a"b', 'a\\b', 'a\tb', 'a\nb', 'é', 'a\u007f']) {
      expect(parseScope(text), JSON.stringify(text)).toBeUndefined();
    }
  });
});
