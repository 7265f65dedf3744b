import { type CheckResult, type ProbeReport, probeChecks, runProbe, tokenChecks } from '@bulwark/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INSECURE_SECRET, insecureLogin, insecureOpenApi, startInsecureApp } from './insecure-app.js';

/** Every check the insecure fixture must fail, each for the flaw it was built with. */
const MUST_FAIL = [
  'cors.foreign-origin',
  'cors.lookalike-origins',
  'cors.null-origin',
  'cors.reflected-request-headers',
  'cors.vary-origin',
  'cors.preflight-max-age',
  'headers.hsts',
  'headers.nosniff',
  'headers.frame-ancestors',
  'headers.no-powered-by',
  'headers.server-version',
  'headers.no-store',
  'problem.not-found',
  'problem.method-not-allowed',
  'problem.no-leaks',
  'problem.malformed-json',
  'http.trace-refused',
  'body.unsupported-media-type',
  'body.too-large',
  'body.too-large-chunked',
  'body.proto-key',
  'body.unknown-fields',
  'auth.challenge',
  'auth.malformed-credential',
  'token.alg-none',
  'authz.insufficient-scope',
  'input.sql-injection',
  'inventory.deprecation',
  'ratelimit.burst',
] as const;

/**
 * What the fixture gets right by accident or cannot be asked: it verifies HS256 signatures
 * (so claims changed under the original signature are refused), has no JWK Set, no refresh
 * step, no RateLimit fields, and ignores API keys.
 */
const MAY_PASS_OR_SKIP = [
  'cors.wildcard-credentials',
  'auth.unknown-api-key',
  'token.expired',
  'token.wrong-audience',
  'token.tampered-signature',
  'token.tampered-claims',
  'token.oversized',
  'token.key-confusion',
  'session.refresh-replay',
  'ratelimit.fields',
];

describe('bulwark probe against an app built the insecure way', () => {
  let app: Awaited<ReturnType<typeof startInsecureApp>>;
  let report: ProbeReport;
  const result = (id: string) => report.results.find((r) => r.id === id) as CheckResult;
  beforeAll(async () => {
    app = await startInsecureApp();
    report = await runProbe({
      baseUrl: app.url,
      openapi: insecureOpenApi,
      origin: 'https://app.example.com',
      login: insecureLogin,
      allowWrites: true,
      rate: 1000,
    });
  }, 120_000);
  afterAll(() => app?.close());

  it('lists every check in one of the two lists', () => {
    expect([...MUST_FAIL, ...MAY_PASS_OR_SKIP].sort()).toEqual(probeChecks.map((c) => c.id).sort());
  });

  it.each(MUST_FAIL)('fails %s, with evidence', (id) => {
    const r = result(id);
    expect(r.status, `${id}: ${r.summary}`).toBe('fail');
    expect(r.summary).not.toMatch(/could not complete/);
    expect(r.evidence.length).toBeGreaterThan(0);
  });

  it('fails every check it should and nothing else', () => {
    expect(
      report.results
        .filter((r) => r.status === 'fail')
        .map((r) => r.id)
        .sort(),
    ).toEqual([...MUST_FAIL].sort());
  });

  it('names what it saw: the reflected origin, the alg none token, the SQL error', () => {
    expect(result('cors.foreign-origin').evidence[0]?.headers['access-control-allow-origin']).toBe(
      'https://bulwark-probe.invalid',
    );
    expect(result('token.alg-none').evidence).toHaveLength(3);
    expect(result('input.sql-injection').summary).toMatch(/500 with a database error|answered 500/);
    expect(result('ratelimit.burst').summary).toMatch(/no 429 after 150 requests/);
  });

  it('given its signing key, fails the claim checks too: no exp, no aud, no size limit', async () => {
    const signed = await runProbe({
      baseUrl: app.url,
      openapi: insecureOpenApi,
      login: insecureLogin,
      signingKey: { kty: 'oct', k: Buffer.from(INSECURE_SECRET).toString('base64url'), alg: 'HS256' },
      checks: tokenChecks,
      rate: 1000,
    });
    const status = Object.fromEntries(signed.results.map((r) => [r.id, r.status]));
    expect(status).toMatchObject({
      'token.expired': 'fail',
      'token.wrong-audience': 'fail',
      'token.oversized': 'fail',
    });
    expect(status['token.tampered-signature']).toBe('pass');
  });

  it('never shows the credential in evidence', () => {
    const text = JSON.stringify(report);
    expect(text).not.toContain('fixture-password');
    expect(text).not.toMatch(/Bearer eyJ/);
  });
});
