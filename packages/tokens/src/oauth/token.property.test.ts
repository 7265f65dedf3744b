import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { basic, bodyOf, codeFor, header, SECRET, setup } from './test-setup.js';

const ERRORS = [
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
];
const s = await setup();
const { code, verifier } = await codeFor(s);
const NAMES = [
  'grant_type',
  'client_id',
  'client_secret',
  'code',
  'redirect_uri',
  'code_verifier',
  'refresh_token',
  'scope',
  '__proto__',
  'constructor',
];
const VALUES = [
  'authorization_code',
  'refresh_token',
  'notes-spa',
  'reports-job',
  SECRET,
  code,
  verifier,
  'http://localhost:5173/callback',
  'notes:read',
  'bwrt_x',
  '',
];
const value = fc.oneof(fc.constantFrom(...VALUES), fc.string(), fc.string({ unit: 'grapheme' }));
const param = fc.oneof(value, fc.array(value, { maxLength: 3 }), fc.constant(undefined), fc.anything());
const form = fc.dictionary(fc.oneof(fc.constantFrom(...NAMES), fc.string()), param, { maxKeys: 8 });
const authorization = fc.oneof(
  fc.constant(undefined),
  fc.string(),
  fc.constant(basic('reports-job', SECRET)),
  fc.tuple(fc.string(), fc.string()).map(([a, b]) => basic(a, b)),
  fc.string().map((t) => `Basic ${t}`),
);

describe('token() on arbitrary forms', () => {
  it('never throws, and always answers RFC 6749 JSON with no-store', async () => {
    await fc.assert(
      fc.asyncProperty(form, authorization, async (f, a) => {
        const answer = await s.server.token(f as never, a);
        expect(header(answer, 'content-type')).toBe('application/json');
        expect(header(answer, 'cache-control')).toBe('no-store');
        expect(header(answer, 'pragma')).toBe('no-cache');
        const body = bodyOf(answer);
        if (answer.status === 200) {
          expect(body.token_type).toBe('Bearer');
          return;
        }
        expect([400, 401]).toContain(answer.status);
        expect(ERRORS).toContain(body.error);
        expect(body.error_description).toMatch(/^[\x20\x21\x23-\x5b\x5d-\x7e]+$/);
        expect(answer.status === 401).toBe(body.error === 'invalid_client');
        // Nothing of the input comes back (a value that is also a parameter's name, such as
        // grant_type=refresh_token, may appear where the description names that parameter).
        for (const v of Object.values(f)) {
          if (typeof v === 'string' && v.length > 12 && !NAMES.includes(v)) expect(answer.body).not.toContain(v);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('answers the same for non-object forms', async () => {
    for (const f of [undefined, null, 'grant_type=x', 5, []]) {
      const answer = await s.server.token(f as never, undefined);
      expect([400, 401]).toContain(answer.status);
      expect(header(answer, 'cache-control')).toBe('no-store');
    }
  });
});

describe('authorize() on arbitrary queries', () => {
  it('never throws; redirects only to a registered URI', () => {
    fc.assert(
      fc.property(form, (q) => {
        const verdict = s.server.authorize(q as never);
        if (verdict.kind === 'redirect') {
          expect(verdict.location.startsWith('http://localhost:5173/callback?')).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});
