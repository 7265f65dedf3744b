import { manualClock } from '@bulwark/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCompact } from './compact.js';
import { checkHeader } from './header.js';
import { AUDIENCE, asymmetricKey, claims, hmacKey, ISSUER, staticKeys, T0, token } from './test-kit.js';
import { accessTokenVerifier } from './verifier.js';

/**
 * The verifier's fast path (a cached header check, the payload decoded while WebCrypto
 * works) must answer every token exactly as the written-down order does: parseCompact,
 * then checkHeader, then the key, the signature and the claims. Here the reference is
 * that order up to the header; past it, a token the reference accepts must never get one
 * of the reasons the reference owns.
 */
const PRE_KEY_REASONS = new Set(['too_large', 'malformed', 'encoding', 'header', 'type']);

/** A mutation of a good token: characters replaced, inserted or removed anywhere, or a part swapped. */
const mutation = fc.oneof(
  fc.record({
    kind: fc.constant('replace' as const),
    at: fc.nat(),
    char: fc.constantFrom(...'A_-=+/. \u00e9eyJ0'.split('')),
  }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), char: fc.constantFrom(...'A.=_%'.split('')) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), char: fc.constant('') }),
  fc.record({ kind: fc.constant('swap' as const), at: fc.nat(), char: fc.constant('') }),
);

function mutate(good: string, other: string, m: { kind: string; at: number; char: string }): string {
  const at = m.at % (good.length + 1);
  if (m.kind === 'replace') return good.slice(0, at) + m.char + good.slice(at + 1);
  if (m.kind === 'insert') return good.slice(0, at) + m.char + good.slice(at);
  if (m.kind === 'delete') return good.slice(0, at) + good.slice(at + 1);
  // Swap one part for the same part of another token (another header, payload or signature).
  const parts = good.split('.');
  const others = other.split('.');
  const i = m.at % 3;
  parts[i] = others[i] as string;
  return parts.join('.');
}

describe('accessTokenVerifier fast path (property)', () => {
  it('answers every mutated token as parseCompact + checkHeader order it', async () => {
    const hs = await hmacKey('k-hs');
    const es = await asymmetricKey('k-es', 'ES256');
    const clock = manualClock(T0);
    const verifier = accessTokenVerifier({
      keys: staticKeys(hs, es),
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ['HS256', 'ES256'],
      clock: () => clock.now(),
      cache: false,
    });
    const allowed = new Set(['HS256', 'ES256']);
    const goods = [
      await token(hs),
      await token(es),
      await token(hs, claims({ scope: 'a b' }), { typ: 'application/at+jwt' }),
      await token(es, claims({ exp: undefined })),
      await token(hs, claims(), { typ: 'JWT' }),
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: goods.length - 1 }),
        fc.nat({ max: goods.length - 1 }),
        fc.array(mutation, { minLength: 0, maxLength: 3 }),
        async (g, o, mutations) => {
          let text = goods[g] as string;
          for (const m of mutations) text = mutate(text, goods[o] as string, m);
          const outcome = await verifier.verify(text);
          const parsed = parseCompact(text, 8192);
          const reference = parsed.ok ? checkHeader(parsed.parts.header, allowed) : parsed.reason;
          if (typeof reference === 'string') {
            expect(outcome).toEqual({ ok: false, reason: reference });
          } else if (!outcome.ok) {
            expect(PRE_KEY_REASONS.has(outcome.reason)).toBe(false);
          }
        },
      ),
      { numRuns: 1500 },
    );
  });
});
