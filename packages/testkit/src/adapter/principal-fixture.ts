import { allow, manualClock, type Principal, type RequestPolicy } from '@bulwark/core';
import { rateLimitPolicy } from '@bulwark/ratelimit';
import { requestValidator } from '@bulwark/validation';
import { z } from 'zod';
import type { ConformanceRoute } from './driver.js';
import { CONFORMANCE_NOW } from './fixture.js';

const SUBJECT = /^[a-z0-9-]{1,32}$/;

/**
 * A test-only authenticator: the subject named in `header` becomes the principal (no
 * credential check at all: never mount such a thing outside a test). No header, or one
 * that is not a plain subject, leaves the request anonymous.
 */
export function headerAuthenticator(name: string, header: string): RequestPolicy {
  const anonymous = allow();
  return {
    name,
    evaluate(view) {
      const subject = view.header(header);
      if (subject === undefined || !SUBJECT.test(subject)) return anonymous;
      const principal: Principal = {
        subject,
        kind: 'user',
        scopes: ['notes:read'],
        source: { kind: 'api_key', keyId: `key-${subject}` },
        claims: {},
      };
      return allow([], undefined, principal);
    },
  };
}

/** A policy that fails on request (`x-test-throw: sync` throws, `async` rejects): a guard must pass either to the error handler. */
export function failingPolicy(): RequestPolicy {
  const pass = allow();
  return {
    name: 'failing',
    evaluate(view) {
      const mode = view.header('x-test-throw');
      if (mode === 'sync') throw new Error('policy failed synchronously');
      if (mode === 'async') return Promise.reject(new Error('policy failed asynchronously'));
      return pass;
    },
  };
}

/** A per-principal limit: skipped for anonymous requests, one budget per subject otherwise. */
export function principalRateLimit() {
  return rateLimitPolicy({
    name: 'per-principal',
    limits: [{ name: 'principal', limit: 2, window: '60s', key: 'principal', paths: ['/v2/whoami'] }],
    // A stopped clock: the answers carry the window's reset (`t=`), and on the real clock a
    // second passing between two frameworks' runs made their bytes differ.
    clock: manualClock(CONFORMANCE_NOW),
  });
}

const unmounted = requestValidator({ query: z.object({ q: z.string().optional() }) });

export const principalRoutes: readonly ConformanceRoute[] = [
  {
    method: 'GET',
    path: '/v2/misuse',
    validator: unmounted,
    mountValidate: false,
    handle: () => ({ status: 200, body: { unreachable: true } }),
  },
  { method: 'GET', path: '/v2/varied', handle: () => ({ status: 200, body: { ok: true }, vary: 'Accept-Language' }) },
  {
    method: 'GET',
    path: '/v2/me',
    handle: ({ requireAuth }) => ({ status: 200, body: { subject: requireAuth().subject } }),
  },
  {
    method: 'GET',
    path: '/v2/whoami',
    handle: ({ auth, state }) => ({
      status: 200,
      body: {
        subject: auth?.subject ?? null,
        keyId: auth?.source.kind === 'api_key' ? auth.source.keyId : null,
        apiVersion: state?.apiVersion ?? null,
      },
    }),
  },
];
