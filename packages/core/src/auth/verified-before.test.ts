import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Decision } from '../decision.js';
import { ConfigError } from '../errors.js';
import { requestView } from '../request-view.js';
import { authenticationPolicy } from './authentication-policy.js';
import type { Authenticator } from './authenticator.js';
import { parseBearer } from './bearer.js';
import { apiKeyAuthenticator, tokenAuthenticator } from './test-authenticators.js';

const view = (authorization: string | undefined, apiKey?: string) =>
  requestView({
    method: 'GET',
    path: '/v2/notes',
    headers: {
      ...(authorization === undefined ? {} : { authorization }),
      ...(apiKey === undefined ? {} : { 'x-api-key': apiKey }),
    },
    clientIp: '203.0.113.7',
  });

/**
 * The token double with a memory, as the JWT authenticator's cache: it remembers every
 * token it verified successfully, and `verifiedBefore` answers from that memory. What it
 * remembers passed `parseBearer` (the policy scanned it the first time), as the contract asks.
 */
function rememberingTokens(asked: string[] = []): Authenticator {
  const inner = tokenAuthenticator();
  const remembered = new Set<string>();
  return {
    ...inner,
    verify(token, v) {
      const outcome = inner.verify(token, v);
      if (!(outcome instanceof Promise) && outcome.ok) remembered.add(token);
      return outcome;
    },
    verifiedBefore(bearer) {
      asked.push(bearer);
      return remembered.has(bearer);
    },
  };
}

function summary(decision: Decision | Promise<Decision>): string {
  if (decision instanceof Promise) throw new Error('expected a synchronous decision');
  if (decision.kind === 'allow') return `allow:${decision.principal?.subject ?? 'anonymous'}`;
  return decision.kind === 'deny' ? `deny:${decision.status}:${decision.problem.code}` : decision.kind;
}

describe('authenticationPolicy with an authenticator that remembers verified tokens', () => {
  it('asks only about the usual `Bearer <token>` spelling, and answers as before', () => {
    const asked: string[] = [];
    const policy = authenticationPolicy([apiKeyAuthenticator(), rememberingTokens(asked)]);
    expect(summary(policy.evaluate(view('Bearer good-ada')))).toBe('allow:ada');
    expect(asked).toEqual(['good-ada']);
    // Remembered now: the same field is answered alike, the other spellings take the scan.
    expect(summary(policy.evaluate(view('Bearer good-ada')))).toBe('allow:ada');
    expect(summary(policy.evaluate(view('bearer good-ada')))).toBe('allow:ada');
    expect(summary(policy.evaluate(view('Bearer  good-ada')))).toBe('allow:ada');
    expect(summary(policy.evaluate(view('Bearer good-ada, Bearer good-bob')))).toBe('deny:400:invalid_request');
    expect(summary(policy.evaluate(view('Basic good-ada')))).toBe('deny:401:unauthenticated');
    expect(asked).toEqual(['good-ada', 'good-ada', ' good-ada', 'good-ada, Bearer good-bob']);
  });

  it('a remembered token still goes through the claims and verify: beside an X-API-Key, two credentials', () => {
    const policy = authenticationPolicy([apiKeyAuthenticator(), rememberingTokens()]);
    expect(summary(policy.evaluate(view('Bearer good-ada')))).toBe('allow:ada');
    expect(summary(policy.evaluate(view('Bearer good-ada', 'bk_bad')))).toBe('deny:400:invalid_request');
    expect(summary(policy.evaluate(view('Bearer good-ada', 'bk_good_svc')))).toBe('deny:400:invalid_request');
    expect(summary(policy.evaluate(view(undefined, 'bk_good_svc')))).toBe('allow:svc');
  });

  it('gives the same answer as the scan for any Authorization field (property)', () => {
    const tokens = ['good-ada', 'good-bob', 'good-ada=', 'expired-x', 'bk_good_svc', 'bad', ''];
    const structured = fc
      .tuple(
        fc.constantFrom('Bearer', 'bearer', 'BEARER', 'Bearerx', 'Basic', ''),
        fc.constantFrom('', ' ', '  ', '\t', ' \t'),
        fc.constantFrom(...tokens),
        fc.constantFrom('', ' ', '\t', ',', ', Bearer good-bob', 'é', '.', '~+/'),
      )
      .map((parts) => parts.join(''));
    const fragments = fc
      .array(fc.constantFrom('Bearer ', 'Bearer', ' ', '\t', ',', 'good-', 'ada', '=', '.', 'é'), { maxLength: 8 })
      .map((parts) => parts.join(''));
    // Each good token is verified (and remembered) first, so later spellings of it meet the memory.
    const seeds = tokens.map((t) => `Bearer ${t}`);
    fc.assert(
      fc.property(fc.array(fc.oneof(structured, fragments), { minLength: 1, maxLength: 16 }), (fields) => {
        const scanned = authenticationPolicy([apiKeyAuthenticator(), tokenAuthenticator()]);
        const remembering = authenticationPolicy([apiKeyAuthenticator(), rememberingTokens()]);
        for (const value of [...seeds, ...fields]) {
          expect(summary(remembering.evaluate(view(value)))).toBe(summary(scanned.evaluate(view(value))));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('what a remembering authenticator says yes to is what parseBearer reads from `Bearer <token>`', () => {
    const asked: string[] = [];
    const tokens = rememberingTokens(asked);
    const policy = authenticationPolicy(tokens);
    policy.evaluate(view('Bearer good-x.y_z~+/=='));
    policy.evaluate(view('Bearer good-x.y_z~+/=='));
    for (const bearer of asked.filter((b) => tokens.verifiedBefore?.(b) === true)) {
      expect(parseBearer(`Bearer ${bearer}`)).toEqual({ kind: 'bearer', token: bearer });
    }
  });

  it('refuses a verifiedBefore that is not a function', () => {
    const odd = { ...tokenAuthenticator(), verifiedBefore: true } as unknown as Authenticator;
    expect(() => authenticationPolicy(odd)).toThrow(ConfigError);
    expect(() => authenticationPolicy(odd)).toThrow(/"authenticators\[0\]"/);
  });
});
