import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  constantTimeEqual,
  createPkcePair,
  parseCodeChallenge,
  parseCodeVerifier,
  s256Challenge,
  verifyPkce,
} from './pkce.js';

const UNRESERVED = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~';
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const fromAlphabet = (alphabet: string, minLength: number, maxLength: number) =>
  fc.string({ unit: fc.constantFrom(...alphabet), minLength, maxLength });
const validVerifier = fromAlphabet(UNRESERVED, 43, 128);
/** Any one character outside the unreserved set. */
const outsider = fc.string({ minLength: 1, maxLength: 1, unit: 'grapheme' }).filter((c) => !UNRESERVED.includes(c));

describe('parseCodeVerifier (RFC 7636 §4.1)', () => {
  it('accepts every string of 43 to 128 unreserved characters, as it is', () => {
    fc.assert(fc.property(validVerifier, (v) => parseCodeVerifier(v) === v));
  });

  it('refuses lengths outside 43..128', () => {
    fc.assert(
      fc.property(
        fc.oneof(fromAlphabet(UNRESERVED, 0, 42), fromAlphabet(UNRESERVED, 129, 300)),
        (v) => parseCodeVerifier(v) === undefined,
      ),
    );
  });

  it('refuses a verifier with any one character outside the unreserved set, wherever it is', () => {
    fc.assert(
      fc.property(validVerifier, outsider, fc.nat(), (v, bad, at) => {
        const i = at % v.length;
        return parseCodeVerifier(v.slice(0, i) + bad + v.slice(i + 1)) === undefined;
      }),
    );
    for (const bad of [' ', '+', '/', '=', '%', '\n', 'é', '\u0000']) {
      expect(parseCodeVerifier(`${'a'.repeat(42)}${bad}`)).toBeUndefined();
    }
  });

  it('refuses what is not a string', () => {
    fc.assert(
      fc.property(
        fc.anything().filter((x) => typeof x !== 'string'),
        (x) => parseCodeVerifier(x) === undefined,
      ),
    );
  });
});

describe('S256 challenges (RFC 7636 §4.2, §4.6)', () => {
  it("computes RFC 7636 appendix B's example", async () => {
    expect(await s256Challenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe(
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    );
  });

  it('the challenge of any verifier is 43 base64url characters and parses', async () => {
    await fc.assert(
      fc.asyncProperty(validVerifier, async (v) => {
        const challenge = await s256Challenge(v);
        return challenge.length === 43 && parseCodeChallenge(challenge) === challenge;
      }),
    );
  });

  it('refuses challenges of any other length, outside base64url, or with spare bits set (non-canonical)', () => {
    fc.assert(
      fc.property(
        fc.oneof(fromAlphabet(B64URL, 0, 42), fromAlphabet(B64URL, 44, 200)),
        (c) => parseCodeChallenge(c) === undefined,
      ),
    );
    fc.assert(
      fc.property(fromAlphabet(B64URL, 42, 42), fc.constantFrom(...B64URL), (head, last) => {
        const canonical = B64URL.indexOf(last) % 4 === 0;
        return (parseCodeChallenge(head + last) !== undefined) === canonical;
      }),
    );
    for (const bad of ['=', '+', '/', '.', '~', ' ']) {
      expect(parseCodeChallenge(`${'A'.repeat(42)}${bad}`)).toBeUndefined();
    }
  });

  it('verifies a matching pair and nothing else', async () => {
    await fc.assert(
      fc.asyncProperty(validVerifier, validVerifier, async (v, other) => {
        const challenge = await s256Challenge(v);
        if (!(await verifyPkce(v, challenge))) return false;
        return other === v || !(await verifyPkce(other, challenge));
      }),
    );
  });

  it('refuses a verifier where no challenge (or a malformed one) is stored: no downgrade to plain', async () => {
    const v = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
    for (const stored of [undefined, null, '', v, `${v}x`, 'plain']) {
      expect(await verifyPkce(v, stored)).toBe(false);
    }
    // A verifier that is its own "challenge" (plain) fails even when it happens to be 43 base64url characters.
    expect(await verifyPkce(v, v)).toBe(false);
    expect(await verifyPkce(undefined, await s256Challenge(v))).toBe(false);
    expect(await verifyPkce('short', await s256Challenge('short'))).toBe(false);
  });

  it('createPkcePair makes a 43-character verifier and its S256 challenge, fresh each time', async () => {
    const a = await createPkcePair();
    const b = await createPkcePair();
    expect(a.method).toBe('S256');
    expect(parseCodeVerifier(a.verifier)).toBe(a.verifier);
    expect(a.verifier).toHaveLength(43);
    expect(a.challenge).toBe(await s256Challenge(a.verifier));
    expect(b.verifier).not.toBe(a.verifier);
    expect(await verifyPkce(a.verifier, a.challenge)).toBe(true);
  });
});

describe('constantTimeEqual', () => {
  it('answers exactly what === answers', () => {
    fc.assert(fc.property(fc.string(), fc.string(), (a, b) => constantTimeEqual(a, b) === (a === b)));
    fc.assert(fc.property(fc.string(), (a) => constantTimeEqual(a, a)));
  });
});
