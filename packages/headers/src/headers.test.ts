import { ConfigError, manualClock, requestView, type SecurityEvent } from '@bulwark/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { apiVersionPolicy, deprecationPolicy, type SecurityHeadersOptions, securityHeaders } from './index.js';

describe('securityHeaders', () => {
  it('sends the API profile by default', () => {
    const policy = securityHeaders();
    expect(Object.fromEntries(policy.headersFor('/v2/notes'))).toEqual({
      'strict-transport-security': 'max-age=31536000; includeSubDomains',
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'cross-origin-resource-policy': 'same-origin',
      'cache-control': 'no-store',
    });
    expect(policy.evaluate({ path: '/' }).removeHeaders).toEqual(['x-powered-by']);
  });

  it('overrides per route and lets headers be switched off', () => {
    const policy = securityHeaders({
      hsts: { maxAge: 63_072_000, preload: true },
      frameOptions: false,
      cacheControlRoutes: [
        { prefix: '/public', value: 'public, max-age=300' },
        { prefix: '/health', value: false },
      ],
    });
    const at = (path: string) => Object.fromEntries(policy.headersFor(path));
    expect(at('/public/a')['cache-control']).toBe('public, max-age=300');
    expect(at('/health')['cache-control']).toBeUndefined();
    expect(at('/v2')['cache-control']).toBe('no-store');
    expect(at('/v2')['x-frame-options']).toBeUndefined();
    expect(at('/v2')['strict-transport-security']).toBe('max-age=63072000; includeSubDomains; preload');
  });

  const refused: Array<[string, SecurityHeadersOptions, RegExp]> = [
    ['preload with a short max-age', { hsts: { maxAge: 86_400, preload: true } }, /hsts.preload/],
    ['preload without includeSubDomains', { hsts: { preload: true, includeSubDomains: false } }, /hsts.preload/],
    ['a negative max-age', { hsts: { maxAge: -1 } }, /hsts.maxAge/],
    [
      'header injection in CSP',
      { contentSecurityPolicy: "default-src 'none'\r\nSet-Cookie: a=b" },
      /contentSecurityPolicy/,
    ],
    ['a bogus frame option', { frameOptions: 'ALLOW-FROM x' as never }, /frameOptions/],
    ['a bogus referrer policy', { referrerPolicy: 'always' as never }, /referrerPolicy/],
    ['a bogus CORP', { crossOriginResourcePolicy: 'none' as never }, /crossOriginResourcePolicy/],
    ['a bad cache-control', { cacheControl: '=x' }, /cacheControl/],
    [
      'a bad route cache-control',
      { cacheControlRoutes: [{ prefix: '/a', value: 'a\nb' }] },
      /cacheControlRoutes\[0\]\.value/,
    ],
    [
      'a bad route prefix',
      { cacheControlRoutes: [{ prefix: 'a', value: 'no-store' }] },
      /cacheControlRoutes\[0\]\.prefix/,
    ],
    ['a typo', { hstss: {} } as never, /hstss/],
    ['a typo inside hsts', { hsts: { maxage: 1 } } as never, /hsts.maxage/],
  ];
  it.each(refused)('refuses %s', (_name, options, message) => {
    expect(() => securityHeaders(options)).toThrow(ConfigError);
    expect(() => securityHeaders(options)).toThrow(message);
  });

  it('never lets an override inject a header (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (value) => {
        try {
          const headers = securityHeaders({ cacheControl: value }).headersFor('/');
          for (const [, v] of headers) expect(v).not.toMatch(/[\r\n\0]/);
        } catch (err) {
          expect(err).toBeInstanceOf(ConfigError);
        }
      }),
    );
  });
});

describe('deprecationPolicy', () => {
  const rule = {
    prefix: '/v1',
    deprecatedAt: '2026-01-01T00:00:00Z',
    sunsetAt: '2027-06-30T00:00:00Z',
    documentation: 'https://api.example.com/docs/v1',
    successor: '/v2/notes',
  };

  it('sends Deprecation, Sunset and Link headers on covered routes only', () => {
    const policy = deprecationPolicy({ rules: [rule] });
    const d = policy.evaluate(requestView({ method: 'GET', path: '/v1/notes' }));
    expect(d.kind).toBe('allow');
    expect(d.headers).toEqual([
      ['deprecation', '@1767225600'],
      ['sunset', 'Wed, 30 Jun 2027 00:00:00 GMT'],
      ['link', '<https://api.example.com/docs/v1>; rel="deprecation"; type="text/html"'],
      ['link', '</v2/notes>; rel="successor-version"'],
    ]);
    expect(policy.evaluate(requestView({ method: 'GET', path: '/v10/notes' })).headers).toEqual([]);
    expect(policy.evaluate(requestView({ method: 'GET', path: '/v2/notes' })).headers).toEqual([]);
  });

  it('retires a route with 410 after its sunset when asked', () => {
    const clock = manualClock(Date.parse('2027-06-29T00:00:00Z'));
    const events: SecurityEvent[] = [];
    const policy = deprecationPolicy({
      rules: [{ ...rule, enforceSunset: true }],
      clock,
      onEvent: (e) => events.push(e),
    });
    const view = requestView({ method: 'GET', path: '/v1/notes' });
    expect(policy.evaluate(view).kind).toBe('allow');
    clock.advance(86_400_000);
    const d = policy.evaluate(view);
    expect(d.kind === 'deny' && d.status).toBe(410);
    expect(events.map((e) => e.type)).toEqual(['version.sunset']);
  });

  it('refuses a sunset before the deprecation, bad dates and bad links', () => {
    expect(() => deprecationPolicy({ rules: [{ ...rule, sunsetAt: '2025-01-01T00:00:00Z' }] })).toThrow(
      /rules\[0\]\.sunsetAt/,
    );
    expect(() => deprecationPolicy({ rules: [{ ...rule, deprecatedAt: 'last year' }] })).toThrow(
      /rules\[0\]\.deprecatedAt/,
    );
    expect(() => deprecationPolicy({ rules: [{ ...rule, successor: 'javascript:alert(1)' }] })).toThrow(
      /rules\[0\]\.successor/,
    );
    expect(() => deprecationPolicy({ rules: [{ ...rule, documentation: 'https://x/>; rel="x"' }] })).toThrow(
      /documentation/,
    );
    expect(() =>
      deprecationPolicy({ rules: [{ prefix: '/v1', deprecatedAt: new Date(0), enforceSunset: true }] }),
    ).toThrow(/enforceSunset/);
  });
});

describe('apiVersionPolicy', () => {
  const policy = apiVersionPolicy({ supported: ['v1', 'v2'] });
  const run = (path: string, headers: Record<string, string> = {}) =>
    policy.evaluate(requestView({ method: 'GET', path, headers }));

  it('accepts supported versions from the path or the header', () => {
    expect(run('/v2/notes')).toMatchObject({ kind: 'allow', state: { apiVersion: 'v2' } });
    expect(run('/notes', { 'accept-version': '1' })).toMatchObject({ kind: 'allow', state: { apiVersion: 'v1' } });
    expect(run('/notes', { 'accept-version': 'V2' })).toMatchObject({ kind: 'allow', state: { apiVersion: 'v2' } });
    expect(run('/health')).toMatchObject({ kind: 'allow' });
    expect(run('/v2/notes').headers).toEqual([['vary', 'accept-version']]);
  });

  it('reads the version from the decoded path, as Fastify and Hono route it', () => {
    expect(run('/%762/notes')).toMatchObject({ kind: 'allow', state: { apiVersion: 'v2' } });
    expect(run('/V2/notes')).toMatchObject({ kind: 'allow', state: { apiVersion: 'v2' } });
    expect(run('/%763/notes')).toMatchObject({ kind: 'deny', status: 406 });
    expect(run('/%761/notes', { 'accept-version': '2' })).toMatchObject({ kind: 'deny', status: 406 });
  });

  it('answers 406 listing the supported versions', () => {
    for (const [path, headers] of [
      ['/v3/notes', {}],
      ['/notes', { 'accept-version': 'v9' }],
      ['/v1/notes', { 'accept-version': '2' }],
      ['/notes', { 'accept-version': 'x'.repeat(1000) }],
    ] as const) {
      const d = run(path, headers);
      expect(d.kind, path).toBe('deny');
      if (d.kind !== 'deny') continue;
      expect(d.status).toBe(406);
      expect(d.problem.supportedVersions).toEqual(['v1', 'v2']);
      expect(d.problem.detail).toContain('v1, v2');
      expect(JSON.stringify(d.problem)).not.toContain('xxxxxxxxxx');
    }
  });

  it('refuses bad options', () => {
    expect(() => apiVersionPolicy({ supported: [] })).toThrow(/supported/);
    expect(() => apiVersionPolicy({ supported: ['2'] })).toThrow(/supported\[0\]/);
    expect(() => apiVersionPolicy({ supported: ['v1'], defaultVersion: 'v2' })).toThrow(/defaultVersion/);
    expect(() => apiVersionPolicy({ supported: ['v1'], fromPath: false, header: false })).toThrow(/header/);
  });
});
