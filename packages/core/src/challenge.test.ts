import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { challenge } from './challenge.js';
import { ConfigError } from './errors.js';

/**
 * A test-only reader of one challenge, straight from RFC 9110 §11 and §5.6:
 * auth-scheme [ 1*SP #auth-param ], auth-param = token BWS "=" BWS ( token / quoted-string ).
 */
function parseChallenge(value: string): { scheme: string; params: [string, string][] } {
  const tchar = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
  let i = 0;
  const token = (): string => {
    const start = i;
    while (i < value.length && tchar.test(value[i] as string)) i++;
    if (i === start) throw new Error(`token expected at ${i}`);
    return value.slice(start, i);
  };
  const ows = () => {
    while (value[i] === ' ' || value[i] === '\t') i++;
  };
  const scheme = token();
  const params: [string, string][] = [];
  if (i === value.length) return { scheme, params };
  if (value[i] !== ' ') throw new Error('SP expected after the scheme');
  while (value[i] === ' ') i++;
  for (;;) {
    const name = token();
    ows();
    if (value[i++] !== '=') throw new Error('= expected');
    ows();
    let v = '';
    if (value[i] === '"') {
      i++;
      for (;;) {
        const c = value[i++];
        if (c === undefined) throw new Error('unterminated quoted-string');
        if (c === '"') break;
        if (c === '\\') {
          const next = value[i++];
          if (next === undefined) throw new Error('dangling quoted-pair');
          v += next;
        } else {
          const code = c.charCodeAt(0);
          if (code !== 0x09 && (code < 0x20 || code === 0x7f)) throw new Error('control character in qdtext');
          v += c;
        }
      }
    } else {
      v = token();
    }
    params.push([name, v]);
    ows();
    if (i === value.length) return { scheme, params };
    if (value[i++] !== ',') throw new Error(', expected');
    ows();
  }
}

const tokenArb = fc.stringMatching(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,12}$/);
const valueArb = fc.string({ unit: fc.constantFrom(...' \t!"#\\abcXYZ019=,;:/'.split('')), maxLength: 20 });

describe('challenge', () => {
  it('writes RFC 6750 Bearer challenges', () => {
    expect(challenge('Bearer', { realm: 'notes-api' })).toBe('Bearer realm="notes-api"');
    expect(challenge('Bearer', { realm: 'notes-api', error: 'invalid_token' })).toBe(
      'Bearer realm="notes-api", error="invalid_token"',
    );
    expect(challenge('Basic')).toBe('Basic');
    expect(challenge('Basic', { realm: 'a "b" \\c', charset: 'UTF-8' }, { style: 'minimal' })).toBe(
      'Basic realm="a \\"b\\" \\\\c", charset=UTF-8',
    );
  });

  it('refuses CR, LF and other control characters, bad names, repeats and bad schemes at build time', () => {
    for (const bad of ['a\r\nSet-Cookie: x', 'a\n', 'a\u0000', 'a\u007f', 'caf\u00e9']) {
      expect(() => challenge('Bearer', { realm: bad })).toThrow(ConfigError);
    }
    expect(() => challenge('Bea rer')).toThrow(ConfigError);
    expect(() => challenge('Bearer', { 'bad name': 'x' })).toThrow(ConfigError);
    expect(() => challenge('Bearer', { realm: 'a', REALM: 'b' })).toThrow(ConfigError);
  });

  it('is read back by an RFC 9110 parser as built, in both styles (property)', () => {
    fc.assert(
      fc.property(
        tokenArb,
        fc.uniqueArray(fc.tuple(tokenArb, valueArb), { selector: ([n]) => n.toLowerCase(), maxLength: 5 }),
        fc.constantFrom('quoted' as const, 'minimal' as const),
        (scheme, entries, style) => {
          const params = Object.fromEntries(entries);
          const built = challenge(scheme, params, { style });
          // Object.entries order (integer-like names first), which is the order challenge() writes.
          expect(parseChallenge(built)).toEqual({ scheme, params: Object.entries(params) });
          expect([...built].every((ch) => ch === '\t' || (ch >= ' ' && ch <= '~'))).toBe(true);
        },
      ),
    );
  });

  it('refuses any value holding a control character (property)', () => {
    fc.assert(
      fc.property(
        valueArb,
        fc.integer({ min: 0, max: 0x1f }).filter((c) => c !== 0x09),
        valueArb,
        (a, c, b) => {
          expect(() => challenge('Bearer', { realm: `${a}${String.fromCharCode(c)}${b}` })).toThrow(ConfigError);
        },
      ),
    );
  });
});
