// Issue #14, section 2: the cases where @bulwark/cors-policy differed from the test tables
// of jub0bs/cors. Each block fails on the code before the fix (or pins a documented choice).
import { ConfigError, requestView } from '@bulwark/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CorsOptions, corsPolicy } from './index.js';
import { parseOriginHeader } from './origin.js';
import { get as evaluate, header, preflight } from './test-helpers.js';

const APP = 'https://app.example.com';

function refuses(options: CorsOptions, option: RegExp, message: RegExp) {
  expect(() => corsPolicy(options)).toThrow(ConfigError);
  expect(() => corsPolicy(options)).toThrow(option);
  expect(() => corsPolicy(options)).toThrow(message);
}

describe('origins: ["*"] puts the static grant on every answer (Fetch, CORS protocol and HTTP caches)', () => {
  const star: CorsOptions = { origins: ['*'], exposedHeaders: ['RateLimit'] };

  it('answers a request without Origin with Access-Control-Allow-Origin: * and the exposed headers', () => {
    const d = evaluate(star, {});
    expect(d.kind).toBe('allow');
    expect(d.headers).toEqual([
      ['access-control-allow-origin', '*'],
      ['access-control-expose-headers', 'ratelimit'],
    ]);
  });

  it('does the same for an OPTIONS request without Origin, with the preflight Vary', () => {
    const d = evaluate(star, {}, 'OPTIONS');
    expect(header(d, 'access-control-allow-origin')).toBe('*');
    expect(header(d, 'vary')).toBe('Origin, Access-Control-Request-Method, Access-Control-Request-Headers');
  });

  it('gives the Origin-less answer the same CORS headers as a CORS one, so either can be cached', () => {
    expect(evaluate(star, {}).headers).toEqual(evaluate(star, { origin: 'https://anyone.example' }).headers);
  });

  it('still never combines "*" with credentials, and keeps Vary: Origin for allowlists', () => {
    expect(() => corsPolicy({ origins: ['*'], credentials: true })).toThrow(/origins.*credentials/);
    expect(evaluate({ origins: [APP] }, {}).headers).toEqual([['vary', 'Origin']]);
  });
});

describe('wildcards match every origin browsers send under the pattern (URL standard hosts)', () => {
  const policy = corsPolicy({ origins: ['https://*.example.com'], credentials: true });
  const granted = (origin: string) =>
    header(
      policy.evaluate(requestView({ method: 'GET', path: '/', headers: { origin } })),
      'access-control-allow-origin',
    ) === origin;

  it.each([
    'https://-foo.example.com',
    'https://foo-.example.com',
    'https://-.example.com',
    'https://a.-b-.example.com',
    `https://${'a'.repeat(64)}.example.com`,
    `https://${'a'.repeat(200)}.example.com`,
  ])('grants %s, which the URL standard accepts', (origin) => {
    expect(new URL(origin).origin).toBe(origin);
    expect(granted(origin)).toBe(true);
  });

  it.each([
    'https://example.com',
    'https://.example.com',
    'https://a..example.com',
    'https://-foo.example.com.evil.net',
    'https://-foo-example.com',
    'https://a!.example.com',
    'https://a.example.com.',
    `https://${'a'.repeat(242)}.example.com`, // 254 octets: longer than any DNS name (and jub0bs/cors's bound)
  ])('never grants %s', (origin) => {
    expect(granted(origin)).toBe(false);
  });

  it('keeps exact entries exact: a hyphenated look-alike is not the configured origin', () => {
    const d = evaluate({ origins: [APP] }, { origin: 'https://-app.example.com' });
    expect(header(d, 'access-control-allow-origin')).toBeUndefined();
  });

  const label = fc.stringMatching(/^[a-z0-9_-]{1,70}$/);
  it('grants a host of such labels exactly when it is under the pattern and at most 253 octets (property)', () => {
    fc.assert(
      fc.property(fc.array(label, { minLength: 1, maxLength: 5 }), fc.boolean(), (labels, under) => {
        const host = `${labels.join('.')}.example.${under ? 'com' : 'net'}`;
        expect(granted(`https://${host}`)).toBe(under && host.length <= 253);
      }),
    );
  });

  it('grants nothing jub0bs/cors would not, and nothing a browser could not send (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), fc.constantFrom('', ':443', ':8443', '.', '/'), (prefix, tail) => {
        const origin = `https://${prefix}.example.com${tail}`;
        if (!granted(origin)) return;
        // jub0bs/cors: same scheme and port, host a strict subdomain of the pattern's, <= 253 octets.
        expect(tail).toBe('');
        expect(prefix.length).toBeGreaterThan(0);
        expect(`${prefix}.example.com`.length).toBeLessThanOrEqual(253);
        // And the WHATWG URL parser serialises it to exactly that origin.
        expect(new URL(origin).origin).toBe(origin);
      }),
      { numRuns: 5000 },
    );
  });
});

describe('hosts the URL standard reads as IPv4 numbers (or refuses)', () => {
  it.each([
    ['http://0x7f000001', /127\.0\.0\.1.*write "http:\/\/127\.0\.0\.1"/],
    ['http://127.1', /127\.0\.0\.1/],
    ['http://0177.0.0.1', /127\.0\.0\.1/],
    ['http://0x', /0\.0\.0\.0/],
    ['https://example.0x1f', /URL standard/],
    ['https://app.example.1', /URL standard/],
    ['https://*.0x1f', /IP address/],
    ['https://*.example.0x1f', /URL standard/],
  ])('refuses the configured origin %s, naming the entry', (origin, message) => {
    refuses({ origins: [APP, origin] }, /origins\[1\]/, message);
  });

  it('accepts only entries the URL parser serialises exactly as written (property)', () => {
    const host = fc.string({
      unit: fc.constantFrom('0', '1', '7', 'x', 'f', 'a', '.', '-'),
      minLength: 1,
      maxLength: 12,
    });
    let accepted = 0;
    fc.assert(
      fc.property(host, fc.constantFrom('http', 'https'), (text, scheme) => {
        const origin = `${scheme}://${text}`;
        try {
          corsPolicy({ origins: [origin] });
        } catch (error) {
          expect(error).toBeInstanceOf(ConfigError);
          return;
        }
        accepted++;
        expect(new URL(origin).origin, origin).toBe(origin);
      }),
      { numRuns: 3000 },
    );
    expect(accepted).toBeGreaterThan(100); // the property did test accepted entries
  });

  it.each(['http://0x7f000001', 'http://0x7f.1', 'https://a.example.0x1f', 'https://a.example.0x'])(
    'never grants the request origin %s: browsers send the dotted quad or nothing',
    (origin) => {
      const policy = corsPolicy({ origins: ['http://127.0.0.1', 'https://*.example.com'] });
      const view = requestView({ method: 'GET', path: '/', headers: { origin } });
      expect(header(policy.evaluate(view), 'access-control-allow-origin')).toBeUndefined();
      expect(policy.explain(view).outcome).toBe('origin_malformed');
      expect(parseOriginHeader(origin)).toBeUndefined();
    },
  );
});

describe('answers are never shared between requests: mutating one cannot change the next', () => {
  const requests: Array<[string, CorsOptions, string, Record<string, string>]> = [
    [
      'an exact origin',
      { origins: [APP], credentials: true, exposedHeaders: ['x-request-id'] },
      'GET',
      { origin: APP },
    ],
    ['a wildcard origin', { origins: ['https://*.example.com'], credentials: true }, 'GET', { origin: APP }],
    ['no Origin', { origins: [APP] }, 'GET', {}],
    ['no Origin with "*"', { origins: ['*'], exposedHeaders: ['x-request-id'] }, 'GET', {}],
    ['any origin with "*"', { origins: ['*'] }, 'OPTIONS', { origin: 'https://x.example' }],
    ['another origin', { origins: [APP] }, 'GET', { origin: 'https://evil.example' }],
    ['another origin, rejected', { origins: [APP], onDisallowedOrigin: 'reject' }, 'GET', { origin: 'https://e.x' }],
    ['a preflight', { origins: [APP], credentials: true, maxAge: 60 }, 'OPTIONS', preflight(APP, 'POST')],
    ['a refused preflight', { origins: [APP] }, 'OPTIONS', preflight('https://evil.example', 'POST')],
  ];

  it.each(requests)('mutating the answer to %s cannot change the next answer', (_name, options, method, headers) => {
    const policy = corsPolicy(options);
    const view = () => requestView({ method, path: '/v2/notes', headers });
    const expected = structuredClone(corsPolicy(options).evaluate(view()));
    const first = policy.evaluate(view());
    const attempt = (mutate: () => void) => {
      try {
        mutate();
      } catch (error) {
        expect(error).toBeInstanceOf(TypeError); // a frozen object (core's empty header list)
      }
    };
    for (const pair of first.headers) {
      attempt(() => {
        (pair as [string, string])[1] = 'https://evil.example';
      });
    }
    attempt(() => (first.headers as Array<readonly [string, string]>).push(['access-control-allow-origin', '*']));
    attempt(() => {
      (first as { kind: string }).kind = 'allow';
    });
    if (first.kind === 'deny') {
      attempt(() => {
        (first.problem as { detail: string }).detail = 'changed';
      });
    }
    expect(structuredClone(policy.evaluate(view()))).toEqual(expected);
  });

  it.each(requests)('shares no object between two answers to %s', (_name, options, method, headers) => {
    const policy = corsPolicy(options);
    const view = () => requestView({ method, path: '/v2/notes', headers });
    const first = policy.evaluate(view());
    const second = policy.evaluate(view());
    expect(second).not.toBe(first);
    expect(second.headers).not.toBe(first.headers);
    for (const pair of second.headers) expect(first.headers).not.toContain(pair); // identity, not value
    if (first.kind === 'deny' && second.kind === 'deny') expect(second.problem).not.toBe(first.problem);
  });
});

describe('preflights for CORS-safelisted methods are always allowed (Fetch)', () => {
  const options: CorsOptions = { origins: [APP], methods: ['DELETE'], allowedHeaders: ['authorization'] };

  it.each(['GET', 'HEAD', 'POST'])('answers a preflight for %s with 204 though it is not listed', (method) => {
    const d = evaluate(options, preflight(APP, method, 'authorization'), 'OPTIONS');
    expect(d.kind).toBe('respond');
    expect(header(d, 'access-control-allow-methods')).toBe(method);
    expect(header(d, 'access-control-allow-headers')).toBe('authorization');
  });

  it.each(['get', 'PUT', 'PATCH'])('still refuses %s, which is not safelisted and not listed', (method) => {
    expect(evaluate(options, preflight(APP, method), 'OPTIONS').kind).toBe('deny');
  });

  it('still refuses a safelisted method from an origin that is not allowed', () => {
    expect(evaluate(options, preflight('https://evil.example', 'GET'), 'OPTIONS').kind).toBe('deny');
  });
});

describe('empty elements in Access-Control-Request-Headers are ignored, within a bound', () => {
  const options: CorsOptions = { origins: [APP], allowedHeaders: ['authorization', 'content-type'] };

  it('answers ",,authorization,," with the canonical list', () => {
    const d = evaluate(options, preflight(APP, 'POST', ',,authorization,,'), 'OPTIONS');
    expect(d.kind).toBe('respond');
    expect(header(d, 'access-control-allow-headers')).toBe('authorization');
  });

  it('answers a list of empty elements only, without Access-Control-Allow-Headers', () => {
    const d = evaluate(options, preflight(APP, 'POST', ' , ,'), 'OPTIONS');
    expect(d.kind).toBe('respond');
    expect(header(d, 'access-control-allow-headers')).toBeUndefined();
  });

  it('refuses more than 16 empty elements (as jub0bs/cors), and a long run of them cheaply', () => {
    expect(evaluate(options, preflight(APP, 'POST', `authorization${','.repeat(16)}`), 'OPTIONS').kind).toBe('respond');
    expect(evaluate(options, preflight(APP, 'POST', `authorization${','.repeat(17)}`), 'OPTIONS').kind).toBe('deny');
    const started = performance.now();
    expect(evaluate(options, preflight(APP, 'POST', ','.repeat(1_000_000)), 'OPTIONS').kind).toBe('deny');
    expect(performance.now() - started).toBeLessThan(250);
  });
});

describe('configuration names that can never work are refused', () => {
  it.each([
    'Access-Control-Allow-Origin',
    'access-control-allow-credentials',
    'Access-Control-Allow-Methods',
    'access-control-allow-headers',
    'access-control-expose-headers',
    'access-control-max-age',
    'access-control-allow-private-network',
  ])('refuses %s in allowedHeaders (a response header)', (name) => {
    refuses({ origins: [APP], allowedHeaders: ['content-type', name] }, /allowedHeaders\[1\]/, /response header/);
  });

  it.each([
    'Origin',
    'access-control-request-method',
    'Access-Control-Request-Headers',
    'access-control-allow-methods',
    'access-control-max-age',
  ])('refuses %s in exposedHeaders (never on an actual answer)', (name) => {
    refuses({ origins: [APP], exposedHeaders: ['x-request-id', name] }, /exposedHeaders\[1\]/, /can never work/);
  });

  it.each([
    'http://xn--f',
    'https://xn--f.example.com',
    'https://*.xn--f.example.com',
    'https://xn--abc-.example',
    'https://xn--.example',
  ])('refuses the malformed IDNA label in %s', (origin) => {
    refuses({ origins: [origin] }, /origins\[0\]/, /IDNA/);
  });

  it('accepts valid A-labels, and every one the URL parser produces (property)', () => {
    expect(() =>
      corsPolicy({ origins: ['https://xn--bcher-kva.example', 'https://*.xn--nxasmq6b.com'] }),
    ).not.toThrow();
    const unicodeLabel = fc.string({
      unit: fc.integer({ min: 0xa1, max: 0x2fff }).map(String.fromCodePoint),
      minLength: 1,
      maxLength: 8,
    });
    let checked = 0;
    fc.assert(
      fc.property(unicodeLabel, (text) => {
        let host: string;
        try {
          host = new URL(`https://${text}.example`).hostname;
        } catch {
          return; // not a valid IDN at all
        }
        // Only names an allowlist may hold (mappings can leave an empty or hyphen-edged label).
        if (!host.split('.').every((l) => /^(?!-)[a-z0-9-]{1,63}(?<!-)$/.test(l))) return;
        if (!host.split('.').some((l) => l.startsWith('xn--'))) return;
        checked++;
        expect(() => corsPolicy({ origins: [`https://${host}`] }), host).not.toThrow();
      }),
      { numRuns: 500 },
    );
    expect(checked).toBeGreaterThan(100); // the property did test A-labels
  });

  it('tells the writer of a Unicode host what browsers send instead', () => {
    refuses({ origins: ['https://bücher.example'] }, /origins\[0\]/, /write "https:\/\/xn--bcher-kva\.example"/);
  });
});

describe('maxAge, trailing dots and duplicate exposed headers', () => {
  const ask = preflight(APP, 'POST');

  it('sends no Access-Control-Max-Age with maxAge: "omit" (browsers then cache 5 s)', () => {
    const d = evaluate({ origins: [APP], maxAge: 'omit' }, ask, 'OPTIONS');
    expect(d.kind).toBe('respond');
    expect(header(d, 'access-control-max-age')).toBeUndefined();
  });

  it('keeps 0 as "Access-Control-Max-Age: 0" (browsers do not cache the preflight) and 600 as the default', () => {
    expect(header(evaluate({ origins: [APP], maxAge: 0 }, ask, 'OPTIONS'), 'access-control-max-age')).toBe('0');
    expect(header(evaluate({ origins: [APP] }, ask, 'OPTIONS'), 'access-control-max-age')).toBe('600');
  });

  it.each([
    ['never', /maxAge.*"omit"/],
    [1.5, /maxAge/],
    [null, /maxAge/],
  ])('refuses maxAge %j', (maxAge, message) => {
    refuses({ origins: [APP], maxAge } as unknown as CorsOptions, /maxAge/, message);
  });

  it.each([
    ['https://app.example.com.', /ends with a dot.*"https:\/\/app\.example\.com"/],
    ['https://*.example.com.', /ends with a dot.*"https:\/\/\*\.example\.com"/],
    ['http://localhost.:3000', /ends with a dot/],
  ])('refuses the fully qualified %s, saying what to write (a documented choice)', (origin, message) => {
    refuses({ origins: [origin] }, /origins\[0\]/, message);
  });

  it('never grants a fully qualified request origin, even under a wildcard', () => {
    const options: CorsOptions = { origins: [APP, 'https://*.example.com'] };
    for (const origin of ['https://app.example.com.', 'https://a.example.com.']) {
      expect(header(evaluate(options, { origin }), 'access-control-allow-origin')).toBeUndefined();
    }
  });

  it('sends each exposed header once, whatever its case', () => {
    const d = evaluate(
      { origins: [APP], exposedHeaders: ['X-Request-Id', 'RateLimit', 'x-request-id', 'ratelimit'] },
      { origin: APP },
    );
    expect(header(d, 'access-control-expose-headers')).toBe('x-request-id, ratelimit');
  });
});
