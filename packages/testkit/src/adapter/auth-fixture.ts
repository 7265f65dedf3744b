import { type Authenticator, type AuthOutcome, manualClock, type Principal, type SecurityEvent } from '@bulwark/core';
import { securityHeaders } from '@bulwark/headers';
import { rateLimitPolicy } from '@bulwark/ratelimit';
import { recordServerError } from './body-fixture.js';
import type { ConformanceApp, ConformanceRoute } from './driver.js';
import { CONFORMANCE_NOW } from './fixture.js';

export const AUTH_REALM = 'notes-api';

const READ_WRITE = Object.freeze(['notes:read', 'notes:write']);

/**
 * The test tokens: a fixed table, no cryptography. `tok-<user>` verifies synchronously,
 * `async-tok-<user>` through a Promise (a store round trip), `tok-expired-*` fails as
 * expired; any other bearer value fails as a bad signature.
 */
const USERS: Readonly<Record<string, readonly string[]>> = {
  alice: READ_WRITE,
  bob: Object.freeze(['notes:read']),
  carol: Object.freeze([...READ_WRITE, 'reports:write']),
  dave: READ_WRITE,
};

/** API keys: `bk_<user>_<id>` authenticates as `<user>` with the key's scope `notes:read`, its id as keyId. */
const API_KEY = /^bk_([a-z]+)_([a-z0-9]+)$/;

function user(subject: string, tokenId: string): Principal | undefined {
  const scopes = USERS[subject];
  return scopes === undefined
    ? undefined
    : { subject, kind: 'user', scopes, source: { kind: 'jwt', issuer: 'https://issuer.test', tokenId }, claims: {} };
}

const INVALID_SIGNATURE: AuthOutcome = Object.freeze({ ok: false, code: 'invalid_token', reason: 'signature' });
const EXPIRED: AuthOutcome = Object.freeze({ ok: false, code: 'invalid_token', reason: 'expired' });
const UNKNOWN_KEY: AuthOutcome = Object.freeze({ ok: false, code: 'invalid_api_key', reason: 'unknown_credential' });

/** A deterministic stand-in for `jwtAuthenticator`: claims every bearer value an API key does not. */
export function testTokenAuthenticator(): Authenticator {
  return {
    name: 'test-jwt',
    claim: ({ bearer }) => (bearer !== undefined && !bearer.startsWith('bk_') ? bearer : undefined),
    verify(token) {
      if (token.startsWith('tok-expired-')) return EXPIRED;
      const async = token.startsWith('async-');
      const name = (async ? token.slice(6) : token).match(/^tok-([a-z]+)$/)?.[1];
      const principal = name === undefined ? undefined : user(name, `jti-${name}`);
      const outcome: AuthOutcome = principal === undefined ? INVALID_SIGNATURE : { ok: true, principal };
      return async ? new Promise((resolve) => setImmediate(() => resolve(outcome))) : outcome;
    },
  };
}

/** A deterministic stand-in for the API-key authenticator: `X-API-Key`, or a `bk_`-prefixed bearer value. */
export function testApiKeyAuthenticator(): Authenticator {
  return {
    name: 'test-api-key',
    claim: ({ bearer, view }) => view.header('x-api-key') ?? (bearer?.startsWith('bk_') ? bearer : undefined),
    verify(key) {
      const match = API_KEY.exec(key);
      const owner = match?.[1];
      if (match === null || owner === undefined || USERS[owner] === undefined) return UNKNOWN_KEY;
      return {
        ok: true,
        principal: {
          subject: owner,
          kind: 'user',
          scopes: ['notes:read'],
          source: { kind: 'api_key', keyId: `key-${match[2]}` },
          claims: {},
        },
      };
    },
  };
}

/** The security events of the auth apps, process-wide as `serverErrors` is (scenarios slice what they caused). */
export const authEvents: SecurityEvent[] = [];

const scoped = { realm: AUTH_REALM, onEvent: (event: SecurityEvent) => authEvents.push(event) };

export const authRoutes: readonly ConformanceRoute[] = [
  {
    method: 'GET',
    path: '/v2/me',
    handle: ({ requireAuth }) => {
      const principal = requireAuth();
      return {
        status: 200,
        body: {
          subject: principal.subject,
          scopes: principal.scopes,
          source: principal.source,
        },
      };
    },
  },
  {
    method: 'GET',
    path: '/v2/whoami',
    handle: ({ auth }) => ({ status: 200, body: { subject: auth?.subject ?? null } }),
  },
  {
    method: 'POST',
    path: '/v2/notes',
    scopes: 'notes:write',
    scopeOptions: scoped,
    handle: ({ requireAuth }) => ({ status: 201, body: { owner: requireAuth().subject } }),
  },
  {
    method: 'GET',
    path: '/v2/reports',
    scopes: ['notes:read', 'reports:write'],
    scopeOptions: scoped,
    handle: ({ requireAuth }) => ({ status: 200, body: { reports: [], owner: requireAuth().subject } }),
  },
  {
    method: 'GET',
    path: '/v2/limited',
    handle: ({ auth }) => ({ status: 200, body: { subject: auth?.subject ?? null } }),
  },
];

/**
 * The app of the authentication scenarios: the header profile, then `authenticate([api
 * keys, tokens], { realm: 'notes-api' })` (`optional` as given), then a per-principal
 * limit of 2 a minute on `/v2/limited`, in its own guard, and routes with
 * `requireScopes(...)`.
 */
export function authConformanceApp(options: { optional?: boolean } = {}): ConformanceApp {
  const profile = securityHeaders();
  return {
    profile: [profile],
    policies: [profile],
    authentication: {
      authenticators: [testApiKeyAuthenticator(), testTokenAuthenticator()],
      options: { ...scoped, clock: manualClock(CONFORMANCE_NOW), optional: options.optional ?? false },
    },
    realm: AUTH_REALM,
    laterPolicies: [
      rateLimitPolicy({
        name: 'per-principal',
        limits: [{ name: 'principal', limit: 2, window: '60s', key: 'principal', paths: ['/v2/limited'] }],
        clock: manualClock(CONFORMANCE_NOW),
      }),
    ],
    routes: authRoutes,
    onError: recordServerError,
  };
}
