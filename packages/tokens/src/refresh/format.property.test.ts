import fc from 'fast-check';
import { base64url } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  checkPrefix,
  DEFAULT_REFRESH_PREFIX,
  FAMILY_ID_LENGTH,
  isFamilyId,
  newRefreshFamilyId,
  newRefreshToken,
  parseRefreshToken,
  REFRESH_TOKEN_PATTERN,
  subjectTag,
} from './format.js';
import { SUBJECT_TAG_LENGTH } from './port.js';
import { sha256 } from './sha256.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const b64 = (bytes: Uint8Array) => base64url.encode(bytes);
const prefixArb = fc
  .stringMatching(/^[a-z0-9]{2,16}$/)
  .map((p) => `${p}_`)
  .filter((p) => p.length <= 17);
/** A token built from its parts (bytes), as the factory builds it. */
const tokenArb = fc
  .record({
    prefix: fc.oneof(fc.constant(DEFAULT_REFRESH_PREFIX), prefixArb),
    tag: fc.uint8Array({ minLength: 6, maxLength: 6 }),
    random: fc.uint8Array({ minLength: 16, maxLength: 16 }),
    secret: fc.uint8Array({ minLength: 32, maxLength: 32 }),
  })
  .map((p) => ({
    ...p,
    familyId: b64(p.tag) + b64(p.random),
    token: `${p.prefix}${b64(p.tag)}${b64(p.random)}.${b64(p.secret)}`,
  }));

/** Re-encodes a base64url text through its bytes: the identity exactly when it is canonical. */
const reencode = (text: string) => {
  try {
    return b64(base64url.decode(text));
  } catch {
    return undefined;
  }
};
const anchored = new RegExp(`^${REFRESH_TOKEN_PATTERN.source}$`);
const mutationArb = fc.record({
  at: fc.nat(),
  kind: fc.constantFrom('replace', 'insert', 'delete'),
  char: fc.oneof(
    fc.constantFrom(...ALPHABET, '.', '=', '+', '/', ' ', '\n', '\u0000', 'é', '😀'),
    fc.string({ maxLength: 1 }),
  ),
});
function mutate(token: string, m: { at: number; kind: string; char: string }): string {
  const i = m.at % (token.length + 1);
  if (m.kind === 'insert') return token.slice(0, i) + m.char + token.slice(i);
  if (m.kind === 'delete') return token.slice(0, i) + token.slice(i + 1);
  return token.slice(0, i) + m.char + token.slice(i + 1);
}

describe('refresh token format and parser', () => {
  it('round trip: every token built from its parts parses to its family id and subject tag', () => {
    fc.assert(
      fc.property(tokenArb, ({ prefix, token, familyId }) => {
        expect(parseRefreshToken(token, prefix)).toEqual({
          familyId,
          subjectTag: familyId.slice(0, SUBJECT_TAG_LENGTH),
        });
        expect(isFamilyId(familyId)).toBe(true);
        if (prefix === DEFAULT_REFRESH_PREFIX) expect(anchored.test(token)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('every mutation is refused, or is another canonical token whose parts parse exactly', () => {
    fc.assert(
      fc.property(tokenArb, fc.array(mutationArb, { minLength: 1, maxLength: 3 }), ({ prefix, token }, mutations) => {
        const mutated = mutations.reduce(mutate, token);
        const parsed = parseRefreshToken(mutated, prefix);
        if (prefix === DEFAULT_REFRESH_PREFIX) expect(anchored.test(mutated)).toBe(parsed !== undefined);
        if (parsed === undefined) return;
        // Accepted: the one spelling of its bytes, with our prefix and lengths.
        expect(mutated.startsWith(prefix)).toBe(true);
        const body = mutated.slice(prefix.length);
        const [id, secret, ...rest] = body.split('.');
        expect(rest).toEqual([]);
        expect(id).toBe(parsed.familyId);
        expect(id?.length).toBe(FAMILY_ID_LENGTH);
        expect(reencode(id?.slice(0, SUBJECT_TAG_LENGTH) as string)).toBe(id?.slice(0, SUBJECT_TAG_LENGTH));
        expect(reencode(id?.slice(SUBJECT_TAG_LENGTH) as string)).toBe(id?.slice(SUBJECT_TAG_LENGTH));
        expect(reencode(secret as string)).toBe(secret);
        expect(secret?.length).toBe(43);
      }),
      { numRuns: 2000 },
    );
  });

  it('the last character of each random part carries no spare bits', () => {
    const token = newRefreshToken(DEFAULT_REFRESH_PREFIX, newRefreshFamilyId('u'));
    const dot = token.indexOf('.');
    for (const [i, values] of [
      [dot - 1, 16],
      [token.length - 1, 4],
    ] as const) {
      for (const [value, c] of [...ALPHABET].entries()) {
        const spelled = token.slice(0, i) + c + token.slice(i + 1);
        expect(parseRefreshToken(spelled, DEFAULT_REFRESH_PREFIX) !== undefined, `${c} at ${i}`).toBe(
          value % values === 0,
        );
      }
    }
  });

  it('never throws, whatever it is given', () => {
    fc.assert(
      fc.property(fc.anything(), prefixArb, (value, prefix) => {
        expect(parseRefreshToken(value, prefix)).toBeUndefined();
      }),
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 120 }), (text) => {
        const parsed = parseRefreshToken(`bwrt_${text}`, DEFAULT_REFRESH_PREFIX);
        expect(parsed === undefined || parsed.familyId.length === FAMILY_ID_LENGTH).toBe(true);
      }),
    );
  });

  it("refuses another prefix's token and a token in another case", () => {
    const token = newRefreshToken('bwrt_', newRefreshFamilyId('u'));
    expect(parseRefreshToken(token, 'acme_')).toBeUndefined();
    expect(parseRefreshToken(token.replace('bwrt_', 'BWRT_'), 'bwrt_')).toBeUndefined();
    expect(parseRefreshToken(` ${token}`, 'bwrt_')).toBeUndefined();
    expect(parseRefreshToken(`${token}\n`, 'bwrt_')).toBeUndefined();
  });

  it('subject tags: the first 6 bytes of SHA-256 of the subject, base64url', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'grapheme', maxLength: 40 }), async (subject) => {
        const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(subject)));
        expect(subjectTag(subject)).toBe(b64(digest.subarray(0, 6)));
        expect(subjectTag(subject)).toBe(b64(sha256(new TextEncoder().encode(subject)).subarray(0, 6)));
        const id = newRefreshFamilyId(subject);
        expect(id.startsWith(subjectTag(subject))).toBe(true);
        expect(isFamilyId(id)).toBe(true);
      }),
      { numRuns: 100 },
    );
    expect(newRefreshFamilyId('u')).not.toBe(newRefreshFamilyId('u'));
  });

  it('checks the prefix option', () => {
    expect(checkPrefix(undefined)).toBe('bwrt_');
    expect(checkPrefix('acme_')).toBe('acme_');
    for (const bad of ['a_', 'ACME_', 'acme', 'ac-me_', `${'a'.repeat(17)}_`, '', 5, 'acme__']) {
      expect(() => checkPrefix(bad)).toThrow(expect.objectContaining({ option: 'prefix' }));
    }
  });
});
