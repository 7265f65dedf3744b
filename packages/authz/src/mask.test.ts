import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mask, maskEmail } from './mask.js';

/** No lone surrogate (encodeURIComponent throws on one). */
function wellFormed(text: string): boolean {
  try {
    encodeURIComponent(text);
    return true;
  } catch {
    return false;
  }
}

describe('maskEmail', () => {
  it.each([
    ['alice@example.com', 'a***@example.com'],
    ['a@example.com', 'a***@example.com'],
    ['first.last+tag@sub.example.org', 'f***@sub.example.org'],
    ['"odd@local"@example.com', '"***@example.com'],
    ['@example.com', '***@example.com'],
    ['no-at-sign', '***'],
    ['', '***'],
    ['😀smile@example.com', '😀***@example.com'],
  ])('%s -> %s', (email, masked) => {
    expect(maskEmail(email)).toBe(masked);
  });

  it('a non-string is fully masked', () => {
    expect(maskEmail(42 as never)).toBe('***');
  });

  const local = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }).filter((s) => !s.includes('@'));
  const domain = fc.domain();

  it('keeps the first code point and the domain, whatever the local part', () => {
    fc.assert(
      fc.property(local, domain, (name, host) => {
        const first = String.fromCodePoint(name.codePointAt(0) as number);
        expect(maskEmail(`${name}@${host}`)).toBe(`${first}***@${host}`);
      }),
    );
  });

  it('reveals nothing of the local part beyond its first code point, not even its length', () => {
    fc.assert(
      fc.property(local, local, domain, (a, b, host) => {
        const sameStart =
          String.fromCodePoint(a.codePointAt(0) as number) === String.fromCodePoint(b.codePointAt(0) as number);
        expect(maskEmail(`${a}@${host}`) === maskEmail(`${b}@${host}`)).toBe(sameStart);
      }),
    );
  });

  it('never answers half a surrogate pair and never throws on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const masked = maskEmail(text);
        expect(masked).toContain('***');
        // A well-formed input gives a well-formed output.
        if (wellFormed(text)) expect(wellFormed(masked)).toBe(true);
      }),
    );
  });
});

describe('mask', () => {
  it('wraps a string function and refuses anything else', () => {
    expect(mask((v) => v.slice(-2)).apply('123456')).toBe('56');
    expect(() => mask('***' as never)).toThrow(/"mask"/);
  });
});
