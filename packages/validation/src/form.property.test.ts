import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type FormResult, parseFormBody } from './form.js';

const enc = (text: string) => new TextEncoder().encode(text);
const isWellFormed = (text: string) => (text as unknown as { isWellFormed(): boolean }).isWellFormed();
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

/** Pieces that make hostile form bodies likely: separators, escapes (valid, truncated, invalid UTF-8), names. */
const PIECES = [
  'a',
  'b',
  '_',
  '&',
  '=',
  '+',
  '%',
  '2',
  'B',
  'f',
  'é',
  '😀',
  '\uFFFD',
  '%41',
  '%61',
  '%2B',
  '%20',
  '%EF',
  '%BF',
  '%BD',
  '%ef%bf%bd',
  '%C3',
  '%A9',
  '%E2',
  '%82',
  '%AC',
  '%80',
  '%FF',
  '%ED',
  '%A0',
  '%C0',
  '%F0',
  '%9F',
  '__proto__',
  'constructor',
];
const hostileText = fc.array(fc.constantFrom(...PIECES), { maxLength: 24 }).map((parts) => parts.join(''));

/**
 * An independent reading of the same rules, built on `decodeURIComponent` (which throws on
 * a malformed escape and on escaped bytes that are not UTF-8) instead of `URLSearchParams`.
 */
function model(text: string): FormResult {
  if (/%(?![0-9A-Fa-f]{2})/.test(text)) return { ok: false, reason: 'percent_encoding' };
  const fields: Array<[string, string]> = [];
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const decode = (part: string) => decodeURIComponent(part.replace(/\+/g, ' '));
    try {
      fields.push([decode(eq === -1 ? pair : pair.slice(0, eq)), decode(eq === -1 ? '' : pair.slice(eq + 1))]);
    } catch {
      return { ok: false, reason: 'encoding' };
    }
  }
  const value: Record<string, string> = Object.create(null);
  for (const [key, item] of fields) {
    if (FORBIDDEN.has(key)) return { ok: false, reason: 'forbidden_key' };
    if (key in value) return { ok: false, reason: 'duplicate_key', key };
    value[key] = item;
  }
  return { ok: true, value };
}

/** Field names and values of any Unicode text (no lone surrogates: a form carries UTF-8). */
const text = fc.string({ unit: 'binary', maxLength: 12 });
const record = fc.dictionary(
  text.filter((key) => !FORBIDDEN.has(key)),
  text,
  { maxKeys: 8 },
);

/** Percent-encodes every UTF-8 byte of `text`, in upper or lower case hex. */
function escapeAll(value: string, upper: boolean): string {
  return [...enc(value)]
    .map((b) => `%${b.toString(16).padStart(2, '0')[upper ? 'toUpperCase' : 'toLowerCase']()}`)
    .join('');
}

describe('parseFormBody (properties)', () => {
  it('never throws, on any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const r = parseFormBody(bytes);
        expect(typeof r.ok).toBe('boolean');
      }),
    );
  });

  it('agrees with an independent decodeURIComponent reading on hostile bodies, and answers well-formed strings', () => {
    fc.assert(
      fc.property(hostileText, (body) => {
        const r = parseFormBody(enc(body));
        expect(r).toEqual(model(body));
        if (r.ok) {
          for (const [key, value] of Object.entries(r.value)) {
            expect(isWellFormed(key) && isWellFormed(value)).toBe(true);
          }
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('reads back any record URLSearchParams (or encodeURIComponent) encoded', () => {
    fc.assert(
      fc.property(record, fc.boolean(), (input, plus) => {
        const entries = Object.entries(input);
        const body = plus
          ? new URLSearchParams(entries).toString()
          : entries.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
        const r = parseFormBody(enc(body));
        expect(r.ok).toBe(true);
        expect(r.ok && { ...r.value }).toEqual(input);
      }),
    );
  });

  it('refuses any field given twice, however each occurrence is spelled and wherever it stands', () => {
    fc.assert(
      fc.property(
        record.filter((input) => Object.keys(input).length > 0),
        fc.nat(),
        fc.nat(),
        text,
        fc.constantFrom('plain', 'upper', 'lower'),
        (input, pick, position, second, spelling) => {
          const keys = Object.keys(input);
          const key = keys[pick % keys.length] as string;
          const name = spelling === 'plain' ? encodeURIComponent(key) : escapeAll(key, spelling === 'upper');
          const pairs = new URLSearchParams(Object.entries(input)).toString().split('&');
          pairs.splice(position % (pairs.length + 1), 0, `${name}=${encodeURIComponent(second)}`);
          expect(parseFormBody(enc(pairs.join('&')))).toEqual({ ok: false, reason: 'duplicate_key', key });
        },
      ),
    );
  });
});
