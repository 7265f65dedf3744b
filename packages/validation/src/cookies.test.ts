import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCookies } from './cookies.js';

describe('parseCookies', () => {
  it('parses pairs, strips quotes, decodes, keeps the first of a name', () => {
    expect({ ...parseCookies('a=1; b="two"; c=caf%C3%A9; a=9; bad name=x; d=%E0%A4%A; e') }).toEqual({
      a: '1',
      b: 'two',
      c: 'café',
      d: '%E0%A4%A',
    });
    expect({ ...parseCookies(undefined) }).toEqual({});
    expect(Object.getPrototypeOf(parseCookies('x=1'))).toBeNull();
    expect({ ...parseCookies('__proto__=1; constructor=2; ok=3') }).toEqual({ ok: '3' });
  });

  it('never throws and round-trips generated cookies (property)', () => {
    const name = fc.stringMatching(/^[a-z][a-z0-9_-]{0,10}$/);
    const value = fc.stringMatching(/^[A-Za-z0-9._-]{0,20}$/);
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(name, value), { selector: ([n]) => n, maxLength: 10 }), (pairs) => {
        const header = pairs.map(([n, v]) => `${n}=${v}`).join('; ');
        const parsed = parseCookies(header);
        for (const [n, v] of pairs) if (!['constructor', 'prototype'].includes(n)) expect(parsed[n]).toBe(v);
      }),
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (header) => {
        expect(typeof parseCookies(header)).toBe('object');
      }),
      { numRuns: 3000 },
    );
  });
});
