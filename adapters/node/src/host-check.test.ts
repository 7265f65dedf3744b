import type { IncomingMessage } from 'node:http';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hasAmbiguousFraming } from './host-check.js';

const withFields = (...fields: [string, string][]) => ({ rawHeaders: fields.flat() }) as unknown as IncomingMessage;

describe('hasAmbiguousFraming', () => {
  it('passes no Transfer-Encoding and one ending in a single chunked', () => {
    expect(hasAmbiguousFraming(withFields(['Host', 'a'], ['Content-Length', '3']))).toBe(false);
    expect(hasAmbiguousFraming(withFields(['Transfer-Encoding', 'chunked']))).toBe(false);
    expect(hasAmbiguousFraming(withFields(['transfer-encoding', 'gzip, CHUNKED']))).toBe(false);
    expect(hasAmbiguousFraming(withFields(['Transfer-Encoding', 'gzip'], ['TRANSFER-ENCODING', ' chunked ']))).toBe(
      false,
    );
  });

  it('refuses a final coding other than chunked, chunked twice, and an empty field (RFC 9112 §6.3)', () => {
    for (const values of [['gzip'], ['chunked, gzip'], ['chunked', 'chunked'], ['chunked, chunked'], [''], [' , ']]) {
      const fields = values.map((value): [string, string] => ['Transfer-Encoding', value]);
      expect(hasAmbiguousFraming(withFields(...fields)), values.join(' | ')).toBe(true);
    }
  });

  it('refuses exactly when the codings of all fields, in order, do not end in their only chunked (property)', () => {
    const coding = fc.constantFrom('chunked', 'Chunked', 'gzip', 'deflate', 'identity', '');
    const field = fc.array(coding, { minLength: 1, maxLength: 3 }).map((codings) => codings.join(', '));
    fc.assert(
      fc.property(fc.array(field, { maxLength: 3 }), (values) => {
        const codings = values.flatMap((value) => value.split(',').map((c) => c.trim().toLowerCase())).filter(Boolean);
        const expected =
          values.length > 0 && (codings.at(-1) !== 'chunked' || codings.filter((c) => c === 'chunked').length > 1);
        const fields = values.map((value): [string, string] => ['Transfer-Encoding', value]);
        expect(hasAmbiguousFraming(withFields(['Host', 'a'], ...fields))).toBe(expected);
      }),
      { numRuns: 1000 },
    );
  });
});
