import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BASE62 } from './base62.js';
import {
  type ApiKeyParts,
  apiKeyLength,
  apiKeyPattern,
  formatApiKey,
  generateApiKeyParts,
  KEY_ID_LENGTH,
  parseApiKey,
  SECRET_LENGTH,
} from './format.js';

const base62 = (length: number) =>
  fc.array(fc.constantFrom(...BASE62), { minLength: length, maxLength: length }).map((cs) => cs.join(''));
const prefix = fc
  .tuple(fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz'), fc.stringMatching(/^[a-z0-9]{1,9}$/))
  .map(([head, tail]) => head + tail);
const parts: fc.Arbitrary<ApiKeyParts> = fc.record({
  prefix,
  environment: fc.constantFrom('live' as const, 'test' as const),
  id: base62(KEY_ID_LENGTH),
  secret: base62(SECRET_LENGTH),
});
/** Every character a key could be mistyped into: the alphabet, the separator, and others. */
const anyChar = fc.oneof(fc.constantFrom(...`${BASE62}_-. =+/`), fc.string({ minLength: 1, maxLength: 1 }));

describe('the API-key format', () => {
  it('parse(format(x)) = x', () => {
    fc.assert(
      fc.property(parts, (p) => {
        const key = formatApiKey(p);
        expect(key).toHaveLength(apiKeyLength(p.prefix));
        expect(parseApiKey(key, p.prefix)).toEqual({ ok: true, parts: p });
      }),
    );
  });

  it('refuses every single-character change (checksum or structure), with no store involved', () => {
    fc.assert(
      fc.property(parts, fc.nat(), anyChar, (p, at, replacement) => {
        const key = formatApiKey(p);
        const i = at % key.length;
        fc.pre(key[i] !== replacement);
        const changed = key.slice(0, i) + replacement + key.slice(i + 1);
        expect(parseApiKey(changed, p.prefix).ok).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses a single character inserted or deleted', () => {
    fc.assert(
      fc.property(parts, fc.nat(), anyChar, fc.boolean(), (p, at, extra, insert) => {
        const key = formatApiKey(p);
        const i = at % key.length;
        const changed = insert ? key.slice(0, i) + extra + key.slice(i) : key.slice(0, i) + key.slice(i + 1);
        expect(parseApiKey(changed, p.prefix).ok).toBe(false);
      }),
    );
  });

  it('a substitution within the alphabet is caught by the checksum itself', () => {
    fc.assert(
      fc.property(parts, fc.nat(), fc.constantFrom(...BASE62), (p, at, replacement) => {
        const key = formatApiKey(p);
        const start = p.prefix.length + 6;
        const i = start + (at % (key.length - start));
        fc.pre(key[i] !== '_' && key[i] !== replacement);
        const changed = key.slice(0, i) + replacement + key.slice(i + 1);
        expect(parseApiKey(changed, p.prefix)).toEqual({ ok: false, reason: 'checksum' });
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws, whatever it is given', () => {
    fc.assert(
      fc.property(fc.anything(), fc.option(prefix, { nil: undefined }), (input, pre) => {
        const parsed = parseApiKey(input, pre);
        expect(parsed.ok).toBe(false);
      }),
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 120 }), (text) => {
        expect(() => parseApiKey(text, 'bwk')).not.toThrow();
      }),
    );
    expect(parseApiKey('x'.repeat(1_000_000), 'bwk').ok).toBe(false);
  });

  it('refuses another prefix, case, whitespace and a checksum above 2^32', () => {
    const key = formatApiKey(generateApiKeyParts('bwk', 'live'));
    expect(parseApiKey(key, 'bwk').ok).toBe(true);
    expect(parseApiKey(key, 'bwx')).toEqual({ ok: false, reason: 'malformed' });
    expect(parseApiKey(key.toUpperCase(), 'bwk').ok).toBe(false);
    expect(parseApiKey(` ${key}`, 'bwk').ok).toBe(false);
    expect(parseApiKey(`${key}\n`, 'bwk').ok).toBe(false);
    expect(parseApiKey(key.replace('_live_', '_prod_'), 'bwk').ok).toBe(false);
    expect(parseApiKey(`${key.slice(0, -6)}zzzzzz`, 'bwk')).toEqual({ ok: false, reason: 'checksum' });
  });

  it('generates distinct keys of 256-bit secrets that the scanner pattern finds, and only those', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const p = generateApiKeyParts('bwk', i % 2 === 0 ? 'live' : 'test');
      expect(SECRET_LENGTH * Math.log2(62)).toBeGreaterThanOrEqual(256);
      const key = formatApiKey(p);
      seen.add(key);
      const found = `token = "${key}";`.match(apiKeyPattern('bwk'));
      expect(found).toEqual([key]);
    }
    expect(seen.size).toBe(200);
    expect('bwk_live_short_abc'.match(apiKeyPattern('bwk'))).toBeNull();
    expect(() => apiKeyPattern('Bad_Prefix')).toThrow(expect.objectContaining({ option: 'prefix' }));
  });

  it('formatApiKey refuses parts outside the format', () => {
    const p = generateApiKeyParts('bwk', 'live');
    expect(() => formatApiKey({ ...p, prefix: 'a' })).toThrow(expect.objectContaining({ option: 'prefix' }));
    expect(() => formatApiKey({ ...p, id: 'short' })).toThrow(expect.objectContaining({ option: 'id' }));
    expect(() => formatApiKey({ ...p, secret: `${p.secret.slice(1)}_` })).toThrow(
      expect.objectContaining({ option: 'secret' }),
    );
    expect(() => formatApiKey({ ...p, environment: 'prod' as never })).toThrow(
      expect.objectContaining({ option: 'environment' }),
    );
  });
});
