import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAge, parseCacheControl } from './cache-control.js';

describe('parseCacheControl', () => {
  it.each([
    [null, undefined, undefined, undefined],
    ['public, max-age=300', 300, undefined, undefined],
    ['MAX-AGE=60', 60, undefined, undefined],
    ['max-age="120"', 120, undefined, undefined],
    ['max-age=300, stale-while-revalidate=30, stale-if-error=86400', 300, 30, 86400],
    ['max-age=10, max-age=99999', 10, undefined, undefined],
    ['max-age=abc', 0, undefined, undefined],
    ['max-age=-5', 0, undefined, undefined],
    ['max-age=1.5', 0, undefined, undefined],
    ['no-store, max-age=300', 0, undefined, undefined],
    ['no-cache', 0, undefined, undefined],
    ['private="a, max-age=5", max-age=7', 7, undefined, undefined],
    ['max-age=99999999999999999999', 2 ** 31, undefined, undefined],
    ['', undefined, undefined, undefined],
  ])('%s', (header, maxAge, staleWhileRevalidate, staleIfError) => {
    expect(parseCacheControl(header)).toEqual({ maxAge, staleWhileRevalidate, staleIfError });
  });

  it('never throws, and answers only non-negative whole seconds up to 2^31 (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (header) => {
        const parsed = parseCacheControl(header);
        for (const value of Object.values(parsed)) {
          if (value === undefined) continue;
          expect(Number.isInteger(value) && value >= 0 && value <= 2 ** 31).toBe(true);
        }
      }),
    );
  });

  it('reads back any max-age written among other directives (property)', () => {
    const other = fc.constantFrom('public', 'private', 'must-revalidate', 'immutable', 's-maxage=5', 'x-ext="a,b"');
    fc.assert(
      fc.property(fc.array(other, { maxLength: 4 }), fc.nat({ max: 2 ** 31 }), fc.nat(4), (others, age, at) => {
        const parts: string[] = [...others];
        parts.splice(Math.min(at, parts.length), 0, `max-age=${age}`);
        expect(parseCacheControl(parts.join(', ')).maxAge).toBe(age);
      }),
    );
  });

  it('parseAge: seconds, else 0', () => {
    expect([parseAge('30'), parseAge(null), parseAge('x'), parseAge(' 7 ')]).toEqual([30, 0, 0, 7]);
  });
});
