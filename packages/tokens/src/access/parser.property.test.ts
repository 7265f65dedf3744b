import fc from 'fast-check';
import { base64url } from 'jose';
import { describe, expect, it } from 'vitest';
import { canonicalText, decodeCanonical, isCanonical, utf8Text } from './base64url.js';
import { parseCompact } from './compact.js';
import { hasDuplicateMembers } from './json-members.js';

const CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/ \n.é';
const b64ish = fc.string({ unit: fc.constantFrom(...CHARS.split('')), maxLength: 40 });

/** The reference: text is canonical iff it is in the alphabet and re-encodes to itself. */
function referenceCanonical(text: string): boolean {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return false;
  return Buffer.from(text, 'base64url').toString('base64url') === text;
}

describe('decodeCanonical (property)', () => {
  it('decodes every encoding jose produces to its bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const text = base64url.encode(bytes);
        expect(decodeCanonical(text, 0, text.length)).toEqual(bytes);
        expect(isCanonical(text, 0, text.length)).toBe(true);
        expect(canonicalText(text)).toBe(utf8Text(bytes) ?? 'encoding');
      }),
    );
  });

  it('accepts exactly the canonical strings (padding, +/, whitespace, spare bits, non-ASCII refused)', () => {
    fc.assert(
      fc.property(b64ish, (text) => {
        const expected = referenceCanonical(text);
        expect(decodeCanonical(text, 0, text.length) !== undefined).toBe(expected);
        expect(isCanonical(text, 0, text.length)).toBe(expected);
        // The verifier's fast path (regex + atob) refuses exactly the same, and decodes alike.
        const bytes = decodeCanonical(text, 0, text.length);
        const textOf = bytes === undefined ? 'encoding' : (utf8Text(bytes) ?? 'encoding');
        expect(canonicalText(text)).toBe(textOf);
      }),
      { numRuns: 2000 },
    );
  });
});

/** JSON text of an object from entries, with a random spacing and key escaping: duplicates are known by construction. */
type Json =
  | { kind: 'leaf'; text: string }
  | { kind: 'object'; entries: [string, Json][] }
  | { kind: 'array'; items: Json[] };
const { json } = fc.letrec<{ json: Json }>((tie) => ({
  json: fc.oneof(
    { depthSize: 'small' },
    fc.jsonValue({ maxDepth: 0 }).map((v) => ({ kind: 'leaf' as const, text: JSON.stringify(v) })),
    fc
      .array(fc.tuple(fc.constantFrom('a', 'b', 'alg', '\u00e9', 'x"y', '\\'), tie('json')), { maxLength: 4 })
      .map((entries) => ({ kind: 'object' as const, entries })),
    fc.array(tie('json'), { maxLength: 3 }).map((items) => ({ kind: 'array' as const, items })),
  ),
}));
const escapeAll = (name: string) =>
  `"${[...name].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')}"`;

function render(value: Json, escapeName: (i: number) => boolean, counter = { i: 0 }): string {
  if (value.kind === 'leaf') return value.text;
  if (value.kind === 'array') return `[ ${value.items.map((v) => render(v, escapeName, counter)).join(' , ')} ]`;
  return `{${value.entries
    .map(([k, v]) => `${escapeName(counter.i++) ? escapeAll(k) : JSON.stringify(k)} :${render(v, escapeName, counter)}`)
    .join(',')}}`;
}
function hasDuplicates(value: Json): boolean {
  if (value.kind === 'leaf') return false;
  if (value.kind === 'array') return value.items.some(hasDuplicates);
  const names = value.entries.map(([k]) => k);
  return new Set(names).size !== names.length || value.entries.some(([, v]) => hasDuplicates(v));
}

describe('hasDuplicateMembers (property)', () => {
  it('finds a duplicate member exactly when one object has a name twice, escaped or not, at any depth', () => {
    fc.assert(
      fc.property(json, fc.func(fc.boolean()), (value, escapeName) => {
        const text = render(value, escapeName);
        JSON.parse(text); // the scan is for valid JSON only
        expect(hasDuplicateMembers(text)).toBe(hasDuplicates(value));
      }),
      { numRuns: 1000 },
    );
  });

  it('finds none in what JSON.stringify writes', () => {
    fc.assert(
      fc.property(fc.object(), (object) => {
        expect(hasDuplicateMembers(JSON.stringify(object))).toBe(false);
      }),
    );
  });
});

describe('parseCompact (property)', () => {
  const part = fc.oneof(
    b64ish,
    fc.jsonValue().map((v) => base64url.encode(new TextEncoder().encode(JSON.stringify(v)))),
  );
  it('never throws, and accepts only tokens whose every part re-encodes to itself', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.tuple(part, part, part).map((p) => p.join('.')),
          fc.string(),
        ),
        (token) => {
          const result = parseCompact(token, 8192);
          if (!result.ok) return;
          const parts = token.split('.');
          expect(parts).toHaveLength(3);
          for (const p of parts) expect(Buffer.from(p, 'base64url').toString('base64url')).toBe(p);
          expect(typeof result.parts.header).toBe('object');
          expect(Array.isArray(result.parts.payload)).toBe(false);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('refuses anything over the size cap as too_large, whatever it holds', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 101, maxLength: 300 }), (token) => {
        expect(parseCompact(token, 100)).toEqual({ ok: false, reason: 'too_large' });
      }),
    );
  });
});
