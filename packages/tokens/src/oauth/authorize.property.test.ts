import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createPkcePair } from './pkce.js';
import { header, SPA_REDIRECT, setup, spaQuery } from './test-setup.js';

const s = await setup();
const pkce = await createPkcePair();

/** One edit of the registered URI: a character inserted, removed or replaced, anywhere. */
const edited = fc
  .tuple(
    fc.nat(SPA_REDIRECT.length),
    fc.constantFrom('insert', 'delete', 'replace'),
    fc.string({ minLength: 1, maxLength: 1, unit: 'grapheme' }),
  )
  .map(([at, edit, c]) => {
    if (edit === 'insert') return SPA_REDIRECT.slice(0, at) + c + SPA_REDIRECT.slice(at);
    if (edit === 'delete') return SPA_REDIRECT.slice(0, at) + SPA_REDIRECT.slice(at + 1);
    return SPA_REDIRECT.slice(0, at) + c + SPA_REDIRECT.slice(at + 1);
  });

describe('authorize: exact redirect URI comparison (property)', () => {
  it('any string but the registered one is an error page, never a redirect', () => {
    fc.assert(
      fc.property(
        fc.oneof(edited, fc.string(), fc.webUrl({ withQueryParameters: true, withFragments: true })),
        (uri) => {
          const verdict = s.server.authorize(spaQuery(pkce.challenge, { redirect_uri: uri, response_type: 'token' }));
          if (uri === SPA_REDIRECT) return verdict.kind === 'redirect';
          return verdict.kind === 'error_page' && verdict.error !== 'invalid_client';
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('state is passed through unchanged (property)', () => {
  it('to the error redirect and to the code redirect, byte for byte', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1, unit: 'grapheme' }), async (state) => {
        const refused = s.server.authorize(spaQuery(pkce.challenge, { state, code_challenge_method: 'plain' }));
        if (refused.kind !== 'redirect') return false;
        expect(new URL(refused.location).searchParams.get('state')).toBe(state);
        const verdict = s.server.authorize(spaQuery(pkce.challenge, { state }));
        if (verdict.kind !== 'ok') return false;
        expect(verdict.request.state).toBe(state);
        const decision = await s.server.approve(verdict.request, 'user-1', ['notes:read']);
        expect(new URL(header(decision, 'location') as string).searchParams.get('state')).toBe(state);
        return true;
      }),
      { numRuns: 100 },
    );
  });
});
