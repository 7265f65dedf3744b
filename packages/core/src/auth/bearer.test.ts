import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseBearer } from './bearer.js';

const B64_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/';
const b64char = fc.constantFrom(...B64_CHARS);
/** RFC 6750 §2.1 b64token: 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=" */
const b64token = fc
  .tuple(fc.string({ unit: b64char, minLength: 1, maxLength: 80 }), fc.nat({ max: 3 }))
  .map(([body, pad]) => body + '='.repeat(pad));
/** "Bearer" in any case. */
const bearerScheme = fc
  .array(fc.boolean(), { minLength: 6, maxLength: 6 })
  .map((upper) => [...'bearer'].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join(''));
const spaces = fc.integer({ min: 1, max: 4 }).map((n) => ' '.repeat(n));
/** A character that is neither in b64token nor OWS (which is trimmed at the ends). */
const outsider = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 1 })
  .filter((c) => !B64_CHARS.includes(c) && c !== '=' && c !== ' ' && c !== '\t');

/** The grammar, written the slow and obvious way: the reference the parser is checked against. */
function reference(value: string): string {
  const trimmed = value.replace(/^[ \t]+|[ \t]+$/g, '');
  const scheme = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]*/.exec(trimmed)?.[0] ?? '';
  if (scheme.toLowerCase() !== 'bearer') return 'none';
  const rest = trimmed.slice(scheme.length);
  if (!rest.startsWith(' ')) return 'malformed';
  const token = rest.replace(/^ +/, '');
  if (token === '') return 'malformed';
  let i = 0;
  while (i < token.length && B64_CHARS.includes(token[i] as string)) i++;
  if (i === 0) return 'malformed';
  while (i < token.length && token[i] === '=') i++;
  return i === token.length ? `bearer:${token}` : 'malformed';
}

function show(value: string | undefined): string {
  const parsed = parseBearer(value);
  return parsed.kind === 'bearer' ? `bearer:${parsed.token}` : parsed.kind;
}

describe('parseBearer (RFC 6750 §2.1)', () => {
  it('reads the examples', () => {
    expect(parseBearer('Bearer mF_9.B5f-4.1JqM')).toEqual({ kind: 'bearer', token: 'mF_9.B5f-4.1JqM' });
    expect(parseBearer('bEaReR   abc+/~==')).toEqual({ kind: 'bearer', token: 'abc+/~==' });
    expect(parseBearer(undefined)).toEqual({ kind: 'none' });
    expect(parseBearer('')).toEqual({ kind: 'none' });
    expect(parseBearer('Basic dXNlcjpwYXNz')).toEqual({ kind: 'none' });
    expect(parseBearer('Bearerabc')).toEqual({ kind: 'none' });
    expect(parseBearer('Basic x, Bearer y')).toEqual({ kind: 'none' });
    for (const bad of [
      'Bearer',
      'Bearer ',
      'bearer    ',
      'Bearer a b',
      'Bearer a, Bearer b',
      'Bearer a,Bearer b',
      'Bearer, Bearer a',
      'Bearer\tabc',
      'Bearer a=b',
      'Bearer =abc',
      'Bearer ===',
      'Bearer abc%3D',
      'Bearer "abc"',
      'Bearer é',
      'Bearer abc\u0000',
    ]) {
      expect(parseBearer(bad), bad).toEqual({ kind: 'malformed' });
    }
  });

  it('reads header-sized values with long runs of spaces (the trim is a loop: a /[ \\t]+$/ regex took a second here)', () => {
    const spaces = ' '.repeat(16_000);
    expect(parseBearer(`Bearer${spaces}x${spaces}y`)).toEqual({ kind: 'malformed' });
    expect(parseBearer(`${spaces}Bearer x${spaces}`)).toEqual({ kind: 'bearer', token: 'x' });
  });

  it('takes every well-formed credential, in any case, with any number of spaces (property)', () => {
    fc.assert(
      fc.property(bearerScheme, spaces, b64token, (scheme, sp, token) => {
        expect(parseBearer(`${scheme}${sp}${token}`)).toEqual({ kind: 'bearer', token });
        // Surrounding OWS is not part of a field value (RFC 9110 §5.5).
        expect(parseBearer(` \t${scheme}${sp}${token} \t`)).toEqual({ kind: 'bearer', token });
      }),
    );
  });

  it('refuses a token with a character outside b64token anywhere (property)', () => {
    fc.assert(
      fc.property(bearerScheme, spaces, b64token, outsider, fc.nat(), (scheme, sp, token, bad, at) => {
        const i = at % (token.length + 1);
        const value = `${scheme}${sp}${token.slice(0, i)}${bad}${token.slice(i)}`;
        expect(parseBearer(value)).toEqual({ kind: 'malformed' });
      }),
    );
  });

  it('refuses two tokens, and the combined value of two Authorization fields (property)', () => {
    fc.assert(
      fc.property(bearerScheme, spaces, b64token, b64token, (scheme, sp, a, b) => {
        expect(parseBearer(`${scheme}${sp}${a} ${b}`)).toEqual({ kind: 'malformed' });
        // Node and Web Headers join a repeated field with ", ".
        expect(parseBearer(`${scheme}${sp}${a}, ${scheme} ${b}`)).toEqual({ kind: 'malformed' });
      }),
    );
  });

  it('refuses the scheme alone, with nothing but spaces after it (property)', () => {
    fc.assert(
      fc.property(bearerScheme, fc.nat({ max: 5 }), (scheme, n) => {
        expect(parseBearer(scheme + ' '.repeat(n))).toEqual({ kind: 'malformed' });
      }),
    );
  });

  it('leaves other schemes alone: none (property)', () => {
    const scheme = fc
      .string({
        unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-'),
        minLength: 1,
        maxLength: 12,
      })
      .filter((s) => s.toLowerCase() !== 'bearer');
    fc.assert(
      fc.property(scheme, fc.string({ maxLength: 40 }), (name, rest) => {
        expect(parseBearer(`${name} ${rest}`)).toEqual({ kind: 'none' });
      }),
    );
  });

  it('agrees with a literal reading of the grammar on arbitrary values, and never throws (property)', () => {
    const noisy = fc.oneof(
      fc.string({ maxLength: 60 }),
      fc
        .tuple(
          bearerScheme,
          fc.string({
            unit: fc.constantFrom(' ', '\t', ',', '=', 'a', 'Z', '9', '-', '.', '~', '+', '/', '"', 'é'),
            maxLength: 20,
          }),
        )
        .map(([s, rest]) => s + rest),
    );
    fc.assert(
      fc.property(noisy, (value) => {
        expect(show(value)).toBe(reference(value));
      }),
      { numRuns: 2000 },
    );
  });
});
