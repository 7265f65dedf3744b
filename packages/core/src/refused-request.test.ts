import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allow, deny } from './decision.js';
import { ConfigError } from './errors.js';
import type { RequestPolicy } from './policy.js';
import { isValidHost, profileHeaders, refusedRequestAnswer } from './refused-request.js';

const profile: RequestPolicy = {
  name: 'profile',
  evaluate: () =>
    allow([
      ['x-content-type-options', 'nosniff'],
      ['cache-control', 'no-store'],
      ['vary', 'Origin'],
    ]),
};

describe('profileHeaders', () => {
  it('collects the allow headers of request-independent policies, merging Vary', () => {
    const other: RequestPolicy = { name: 'other', evaluate: () => allow([['vary', 'Accept']]) };
    expect(profileHeaders([profile, other])).toEqual([
      ['x-content-type-options', 'nosniff'],
      ['cache-control', 'no-store'],
      ['vary', 'Origin, Accept'],
    ]);
  });

  it('refuses a policy that decides asynchronously or refuses GET /, naming it', () => {
    const store: RequestPolicy = { name: 'ratelimit', evaluate: async () => allow() };
    const refusing: RequestPolicy = { name: 'auth', evaluate: () => deny('unauthorized', 'no') };
    expect(() => profileHeaders([profile, store])).toThrow(ConfigError);
    expect(() => profileHeaders([profile, store])).toThrow(/policies\[1\]/);
    expect(() => profileHeaders([refusing], 'profile')).toThrow(/profile\[0\]/);
    expect(() => profileHeaders('x' as never)).toThrow(ConfigError);
  });
});

describe('refusedRequestAnswer', () => {
  it('is the problem with the profile, one field per name, Content-Length and Connection: close', () => {
    const answer = refusedRequestAnswer('headers_too_large', profileHeaders([profile]));
    expect(answer.status).toBe(431);
    const names = answer.headers.map(([name]) => name);
    expect(new Set(names).size).toBe(names.length);
    const fields = Object.fromEntries(answer.headers);
    expect(fields).toMatchObject({
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
      vary: 'Origin',
      'content-type': 'application/problem+json',
      connection: 'close',
    });
    expect(Number(fields['content-length'])).toBe(new TextEncoder().encode(answer.body).byteLength);
    expect(JSON.parse(answer.body as string)).toMatchObject({ status: 431, code: 'headers_too_large' });
  });
});

describe('isValidHost', () => {
  it('accepts reg-names, IPv4 and bracketed IPv6, each with an optional port', () => {
    for (const host of ['example.com', 'api.example.com:8443', '127.0.0.1:3000', '[::1]', '[::1]:80', 'x:', 'a%41b']) {
      expect(isValidHost(host), host).toBe(true);
    }
  });

  it('refuses what RFC 9110 §7.2 does not allow', () => {
    for (const host of [
      '',
      'a b',
      'a/b',
      'a\\b',
      'a@b',
      '[::1',
      '[zz]',
      '[1.2.3.4]',
      '[::1]x',
      'a:b',
      'a:80:80',
      '%zz',
      'x'.repeat(1025),
    ]) {
      expect(isValidHost(host), host).toBe(false);
    }
  });

  it('never throws, and refuses any value with a character outside the grammar (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80, unit: 'binary' }), (value) => {
        const result = isValidHost(value);
        if (/[^A-Za-z0-9\-._~!$&'()*+,;=%:[\]]/.test(value)) expect(result).toBe(false);
      }),
    );
  });

  it('accepts every host built from the grammar (property)', () => {
    const label = fc.stringMatching(/^[a-z0-9-]{1,12}$/);
    const host = fc.oneof(
      fc.array(label, { minLength: 1, maxLength: 4 }).map((labels) => labels.join('.')),
      fc.ipV4(),
      fc.ipV6().map((ip) => `[${ip}]`),
    );
    fc.assert(
      fc.property(host, fc.option(fc.integer({ min: 0, max: 65535 })), (name, port) => {
        expect(isValidHost(port === null ? name : `${name}:${port}`)).toBe(true);
      }),
    );
  });
});
