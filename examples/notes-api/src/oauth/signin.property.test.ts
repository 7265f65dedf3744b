import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REQUEST_FIELDS, type RequestFields, SIGNIN_TTL_MS, signinCsrf } from './csrf.js';
import { oauthParams } from './handlers.js';
import { escapeHtml, signinPage } from './page.js';

const fields = fc.record(
  Object.fromEntries(REQUEST_FIELDS.map((name) => [name, fc.string({ maxLength: 40 })])) as Record<
    (typeof REQUEST_FIELDS)[number],
    fc.Arbitrary<string>
  >,
  { requiredKeys: [] },
) as fc.Arbitrary<RequestFields>;
const now = Date.UTC(2026, 5, 15, 12);

describe('the sign-in page', () => {
  it('escapes every value: none can close an attribute or open a tag', () => {
    fc.assert(
      fc.property(fc.string(), (value) => {
        const escaped = escapeHtml(value);
        expect(escaped).not.toMatch(/[<>"']/);
        // Every & starts one of the five references, so decoding gives the value back.
        expect(escaped.replace(/&(?!amp;|lt;|gt;|quot;|#39;)/g, '')).toBe(escaped);
        const decoded = escaped
          .replace(/&lt;/g, '<')
          .replace(/&gt;/g, '>')
          .replace(/&quot;/g, '"')
          .replace(/&#39;/g, "'")
          .replace(/&amp;/g, '&');
        expect(decoded).toBe(value);
      }),
    );
  });

  it('keeps any request value inside its hidden field', () => {
    fc.assert(
      fc.property(fields, fc.string(), (request, email) => {
        const page = signinPage({ clientId: 'notes-spa', fields: request, csrf: 'c', email, error: 'x' }, 400, []);
        const html = page.body ?? '';
        // As many tags as the page has without any value: nothing injected one.
        const empty = signinPage({ clientId: 'notes-spa', fields: {}, csrf: 'c', email: '', error: 'x' }, 400, []);
        const tags = (text: string) => (text.match(/</g) ?? []).length;
        expect(tags(html)).toBe(tags(empty.body ?? '') + Object.keys(request).length);
      }),
    );
  });
});

describe('oauthParams', () => {
  it('keeps every parameter: one given once is a string, one given more often an array of all', () => {
    const pair = fc.tuple(fc.string({ minLength: 1, maxLength: 8 }), fc.string({ maxLength: 8 }));
    fc.assert(
      fc.property(fc.array(pair, { maxLength: 12 }), (pairs) => {
        const query = new URLSearchParams(pairs).toString();
        const params = oauthParams(query);
        for (const [name] of pairs) {
          const all = pairs.filter(([n]) => n === name).map(([, v]) => v);
          expect(params[name]).toEqual(all.length === 1 ? all[0] : all);
        }
        expect(Object.keys(params).length).toBe(new Set(pairs.map(([n]) => n)).size);
      }),
    );
  });
});

describe('the sign-in CSRF token', () => {
  const csrf = signinCsrf(new Uint8Array(32).fill(9));
  const nonce = csrf.nonce(undefined).value;

  it('verifies for its own nonce and parameters until it expires, and for nothing else', () => {
    fc.assert(
      fc.property(fields, fields, fc.nat({ max: 2 * SIGNIN_TTL_MS }), (request, other, later) => {
        const token = csrf.sign(nonce, request, now);
        expect(csrf.verify(token, nonce, request, now + later)).toBe(later <= SIGNIN_TTL_MS);
        const same = REQUEST_FIELDS.every((name) => request[name] === other[name]);
        expect(csrf.verify(token, nonce, other, now)).toBe(same);
        expect(csrf.verify(token, csrf.nonce(undefined).value, request, now)).toBe(false);
      }),
    );
  });

  it('refuses any other string', () => {
    const token = csrf.sign(nonce, {}, now);
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (text) => {
        fc.pre(text !== token);
        expect(csrf.verify(text, nonce, {}, now)).toBe(false);
      }),
    );
    // Every single-character change, the spare bits of the last one included.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.';
    for (let i = 0; i < token.length; i++) {
      for (const c of alphabet) {
        if (c === token[i]) continue;
        expect(csrf.verify(`${token.slice(0, i)}${c}${token.slice(i + 1)}`, nonce, {}, now)).toBe(false);
      }
    }
  });

  it('another key (another KEY_ENCRYPTION_KEY, or none) refuses the token', () => {
    const token = csrf.sign(nonce, {}, now);
    expect(signinCsrf(new Uint8Array(32).fill(8)).verify(token, nonce, {}, now)).toBe(false);
    expect(signinCsrf(undefined).verify(token, nonce, {}, now)).toBe(false);
    expect(signinCsrf(new Uint8Array(32).fill(9)).verify(token, nonce, {}, now)).toBe(true);
  });
});
