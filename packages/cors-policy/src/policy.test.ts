import { ConfigError, requestView, type SecurityEvent } from '@bulwark/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CorsOptions, corsPolicy, corsPolicyByRoute } from './index.js';
import { get, header, preflight } from './test-helpers.js';

const APP = 'https://app.example.com';

describe('corsPolicy: actual requests', () => {
  const options: CorsOptions = { origins: [APP], credentials: true, exposedHeaders: ['RateLimit'] };

  it('allows a listed origin, echoing it with credentials and Vary', () => {
    const d = get(options, { origin: APP });
    expect(d.kind).toBe('allow');
    expect(header(d, 'access-control-allow-origin')).toBe(APP);
    expect(header(d, 'access-control-allow-credentials')).toBe('true');
    expect(header(d, 'access-control-expose-headers')).toBe('ratelimit');
    expect(header(d, 'vary')).toBe('Origin');
  });

  it.each([
    'https://evil.example',
    'https://app.example.com.evil.net',
    'https://evilapp.example.com',
    'https://app-example.com',
    'http://app.example.com',
    'https://app.example.com:8443',
    'https://APP.example.com',
    'https://app.example.com:443',
    'https://app.example.com/',
    'https://app.example.com.',
    'null',
    '',
    'https://app.example.com, https://evil.example',
  ])('does not allow %j, but still sends Vary: Origin', (origin) => {
    const d = get(options, { origin });
    expect(d.kind).toBe('allow');
    expect(header(d, 'access-control-allow-origin')).toBeUndefined();
    expect(header(d, 'access-control-allow-credentials')).toBeUndefined();
    expect(header(d, 'vary')).toBe('Origin');
  });

  it('sends Vary: Origin on non-CORS requests too (cache poisoning)', () => {
    const d = get(options, {});
    expect(d.headers).toEqual([['vary', 'Origin']]);
  });

  it('can reject disallowed origins with 403 problem+json', () => {
    const d = get({ ...options, onDisallowedOrigin: 'reject' }, { origin: 'https://evil.example' });
    expect(d.kind).toBe('deny');
    if (d.kind !== 'deny') return;
    expect(d.status).toBe(403);
    expect(d.code).toBe('cors_origin_rejected');
    expect(header(d, 'vary')).toBe('Origin');
    expect(header(d, 'access-control-allow-origin')).toBeUndefined();
  });

  it('emits an event for each rejection', () => {
    const events: SecurityEvent[] = [];
    get({ ...options, onEvent: (e) => events.push(e), clock: { now: () => 7 } }, { origin: 'https://evil.example' });
    expect(events).toEqual([
      {
        type: 'cors.rejected',
        at: 7,
        origin: 'https://evil.example',
        reason: 'origin_not_allowed',
        preflight: false,
        method: 'GET',
        path: '/v2/notes',
      },
    ]);
  });

  it('with "*" answers * without Vary and never credentials', () => {
    const d = get({ origins: ['*'] }, { origin: 'https://anyone.example' });
    expect(header(d, 'access-control-allow-origin')).toBe('*');
    expect(header(d, 'access-control-allow-credentials')).toBeUndefined();
  });
});

describe('corsPolicy: patterns', () => {
  const policy = corsPolicy({
    origins: ['https://*.example.com', 'http://localhost:*', 'https://api.example.org:8443'],
    credentials: true,
  });
  const allowed = (origin: string) =>
    header(
      policy.evaluate(requestView({ method: 'GET', path: '/', headers: { origin } })),
      'access-control-allow-origin',
    ) === origin;

  it('matches whole leading labels at any depth, never the apex or look-alikes', () => {
    expect(allowed('https://a.example.com')).toBe(true);
    expect(allowed('https://a.b.example.com')).toBe(true);
    expect(allowed('https://example.com')).toBe(false);
    expect(allowed('https://evilexample.com')).toBe(false);
    expect(allowed('https://a.example.com.evil.net')).toBe(false);
    expect(allowed('http://a.example.com')).toBe(false);
    expect(allowed('https://a.example.com:444')).toBe(false);
    expect(allowed('https://a.example.co')).toBe(false);
  });

  it('matches port wildcards on the same host only', () => {
    expect(allowed('http://localhost:5173')).toBe(true);
    expect(allowed('http://localhost')).toBe(true);
    expect(allowed('http://localhost.evil.net:5173')).toBe(false);
    expect(allowed('https://localhost:5173')).toBe(false);
  });

  it('matches explicit ports exactly', () => {
    expect(allowed('https://api.example.org:8443')).toBe(true);
    expect(allowed('https://api.example.org')).toBe(false);
  });

  it('explains its answers', () => {
    const view = (origin: string) => requestView({ method: 'GET', path: '/', headers: { origin } });
    expect(policy.explain(view('https://a.example.com'))).toMatchObject({
      allowed: true,
      matchedBy: 'https://*.example.com',
    });
    expect(policy.explain(view('https://evil.example'))).toMatchObject({
      allowed: false,
      outcome: 'origin_not_allowed',
    });
    expect(policy.explain(view('null'))).toMatchObject({ allowed: false, outcome: 'origin_malformed' });
    expect(policy.explain(requestView({ method: 'GET', path: '/' }))).toMatchObject({ outcome: 'not_cors' });
  });

  it('never allows an origin built by appending to an allowed one (property)', () => {
    const exact = corsPolicy({ origins: [APP], credentials: true });
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 30 }), (suffix) => {
        const d = exact.evaluate(requestView({ method: 'GET', path: '/', headers: { origin: APP + suffix } }));
        expect(header(d, 'access-control-allow-origin')).toBeUndefined();
      }),
      { numRuns: 2000 },
    );
  });

  it('allows exactly the generated subdomains of the pattern (property)', () => {
    const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?$/);
    fc.assert(
      fc.property(fc.array(label, { minLength: 1, maxLength: 4 }), fc.boolean(), (labels, underPattern) => {
        const host = underPattern ? `${labels.join('.')}.example.com` : `${labels.join('.')}.example.net`;
        expect(allowed(`https://${host}`)).toBe(underPattern);
      }),
    );
  });
});

describe('corsPolicy: preflight', () => {
  const options: CorsOptions = {
    origins: [APP],
    credentials: true,
    methods: ['GET', 'POST', 'delete', 'PATCH'],
    allowedHeaders: ['Content-Type', 'X-Request-Id'],
    maxAge: 3600,
  };

  it('answers an allowed preflight with 204 and exactly what was asked', () => {
    const d = get(options, preflight(APP, 'POST', 'content-type,x-request-id'), 'OPTIONS');
    expect(d.kind).toBe('respond');
    if (d.kind !== 'respond') return;
    expect(d.status).toBe(204);
    expect(Object.fromEntries(d.headers)).toEqual({
      'access-control-allow-origin': APP,
      'access-control-allow-methods': 'POST',
      'access-control-allow-headers': 'content-type,x-request-id',
      'access-control-allow-credentials': 'true',
      'access-control-max-age': '3600',
      vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
    });
  });

  it('normalises method case like Fetch and keeps other methods case-sensitive', () => {
    expect(get(options, preflight(APP, 'DELETE'), 'OPTIONS').kind).toBe('respond');
    expect(get(options, preflight(APP, 'PATCH'), 'OPTIONS').kind).toBe('respond');
    expect(get(options, preflight(APP, 'patch'), 'OPTIONS').kind).toBe('deny');
  });

  it.each([
    ['an unknown origin', preflight('https://evil.example', 'POST')],
    ['a method not listed', preflight(APP, 'PUT')],
    ['a header not listed (Authorization is never reflected)', preflight(APP, 'POST', 'authorization')],
    ['one bad header among good ones', preflight(APP, 'POST', 'content-type,x-evil')],
    ['a malformed header list', preflight(APP, 'POST', 'content type')],
    ['too many empty elements', preflight(APP, 'POST', `content-type${','.repeat(17)}`)],
  ])('refuses %s with 403 and no Access-Control-Allow-* headers', (_name, headers) => {
    const d = get(options, headers, 'OPTIONS');
    expect(d.kind).toBe('deny');
    if (d.kind !== 'deny') return;
    expect(d.status).toBe(403);
    expect(d.code).toBe('cors_preflight_rejected');
    expect(d.headers.filter(([n]) => n.startsWith('access-control-'))).toEqual([]);
    expect(header(d, 'vary')).toContain('Origin');
  });

  it('treats OPTIONS without Access-Control-Request-Method as an actual request', () => {
    const d = get(options, { origin: APP }, 'OPTIONS');
    expect(d.kind).toBe('allow');
    expect(header(d, 'vary')).toBe('Origin, Access-Control-Request-Method, Access-Control-Request-Headers');
  });

  it('answers Private Network Access only when enabled', () => {
    const ask = { ...preflight(APP, 'GET'), 'access-control-request-private-network': 'true' };
    expect(header(get(options, ask, 'OPTIONS'), 'access-control-allow-private-network')).toBeUndefined();
    const on = get({ ...options, privateNetworkAccess: true }, ask, 'OPTIONS');
    expect(header(on, 'access-control-allow-private-network')).toBe('true');
    expect(header(on, 'vary')).toContain('Access-Control-Request-Private-Network');
  });

  it('handles a hostile 100 kB Access-Control-Request-Headers in one linear pass', () => {
    const long = Array.from({ length: 20_000 }, () => 'content-type').join(',');
    expect(get(options, preflight(APP, 'POST', long), 'OPTIONS').kind).toBe('deny');
    const spaces = `content-type${' '.repeat(100_000)}x`;
    expect(get(options, preflight(APP, 'POST', spaces), 'OPTIONS').kind).toBe('deny');
  });

  it('never throws on arbitrary preflight headers (property)', () => {
    const policy = corsPolicy(options);
    fc.assert(
      fc.property(
        fc.string({ maxLength: 80 }),
        fc.string({ maxLength: 10 }),
        fc.string({ maxLength: 120 }),
        (origin, method, hdrs) => {
          const d = policy.evaluate(
            requestView({ method: 'OPTIONS', path: '/', headers: preflight(origin, method, hdrs) }),
          );
          expect(['allow', 'deny', 'respond']).toContain(d.kind);
          if (d.kind === 'respond') expect(header(d, 'access-control-allow-origin')).toBe(APP);
        },
      ),
      { numRuns: 3000 },
    );
  });
});

describe('corsPolicy: refused configurations', () => {
  const cases: Array<[string, CorsOptions, RegExp]> = [
    ['* with credentials', { origins: ['*'], credentials: true }, /origins/],
    ['* mixed with origins', { origins: ['*', APP] }, /origins/],
    ['the null origin', { origins: ['null'] }, /origins\[0\]/],
    ['http with credentials', { origins: ['http://app.example.com'], credentials: true }, /origins\[0\].*plain http/],
    ['public suffix wildcard with credentials', { origins: ['https://*.com'], credentials: true }, /public suffix/],
    [
      'private public suffix wildcard with credentials',
      { origins: ['https://*.github.io'], credentials: true },
      /public suffix/,
    ],
    ['two-label public suffix', { origins: ['https://*.co.uk'], credentials: true }, /public suffix/],
    ['a regex', { origins: ['^https://.*\\.example\\.com$'] }, /origins\[0\]/],
    ['a mid-label wildcard', { origins: ['https://*example.com'] }, /origins\[0\]/],
    ['an inner wildcard', { origins: ['https://a.*.example.com'] }, /origins\[0\]/],
    ['a path', { origins: ['https://app.example.com/'] }, /no path/],
    ['another scheme', { origins: ['ftp://app.example.com'] }, /origins\[0\]/],
    ['a bad port', { origins: ['https://app.example.com:70000'] }, /origins\[0\]/],
    ['no origins', { origins: [] }, /origins/],
    ['max-age over a day', { origins: [APP], maxAge: 86_401 }, /maxAge/],
    ['negative max-age', { origins: [APP], maxAge: -1 }, /maxAge/],
    ['TRACE', { origins: [APP], methods: ['trace'] }, /methods\[0\]/],
    ['CONNECT', { origins: [APP], methods: ['CONNECT'] }, /methods\[0\]/],
    ['a method wildcard', { origins: [APP], methods: ['*'] }, /methods\[0\]/],
    ['a header wildcard', { origins: [APP], allowedHeaders: ['*'] }, /allowedHeaders\[0\]/],
    ['a forbidden request header', { origins: [APP], allowedHeaders: ['cookie'] }, /allowedHeaders\[0\]/],
    ['exposing set-cookie', { origins: [APP], exposedHeaders: ['Set-Cookie'] }, /exposedHeaders\[0\]/],
    [
      'exposing * with credentials',
      { origins: [APP], credentials: true, exposedHeaders: ['*'] },
      /exposedHeaders\[0\]/,
    ],
    ['a typo in an option', { origins: [APP], credential: true } as unknown as CorsOptions, /credential/],
    ['a non-boolean credentials', { origins: [APP], credentials: 'yes' } as unknown as CorsOptions, /credentials/],
  ];
  it.each(cases)('refuses %s', (_name, options, message) => {
    expect(() => corsPolicy(options)).toThrow(ConfigError);
    expect(() => corsPolicy(options)).toThrow(message);
  });

  it('accepts loopback http origins with credentials (secure contexts) and the dangerous opt-in', () => {
    expect(() =>
      corsPolicy({ origins: ['http://localhost:5173', 'http://127.0.0.1:3000'], credentials: true }),
    ).not.toThrow();
    expect(() =>
      corsPolicy({
        origins: ['http://intranet.example'],
        credentials: true,
        dangerouslyAllowInsecureOriginsWithCredentials: true,
      }),
    ).not.toThrow();
    expect(() => corsPolicy({ origins: ['https://*.github.io'] })).not.toThrow();
  });
});

describe('corsPolicyByRoute', () => {
  it('applies the longest matching prefix', () => {
    const policy = corsPolicyByRoute(
      [{ prefix: '/public', value: corsPolicy({ origins: ['*'] }) }],
      corsPolicy({ origins: [APP] }),
    );
    const at = (path: string) =>
      header(
        policy.evaluate(requestView({ method: 'GET', path, headers: { origin: 'https://x.example' } })),
        'access-control-allow-origin',
      );
    expect(at('/public/logo')).toBe('*');
    expect(at('/private')).toBeUndefined();
    expect(
      policy.explain(requestView({ method: 'GET', path: '/public', headers: { origin: 'https://x.example' } })).allowed,
    ).toBe(true);
  });
});
