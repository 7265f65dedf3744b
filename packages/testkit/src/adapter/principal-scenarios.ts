import { BulwarkError } from '@bulwark/core';
import { expect } from 'vitest';
import { serverErrors } from './body-fixture.js';
import { expectProblem, expectProfile, varyTokens } from './expect.js';
import { ALLOWED_ORIGIN } from './fixture.js';
import type { AdapterScenario } from './scenario.js';

const as = (subject: string, second?: string) => ({
  method: 'GET' as const,
  path: '/v2/whoami',
  headers:
    second === undefined
      ? { 'x-test-principal': subject }
      : { 'x-test-principal': subject, 'x-test-principal-2': second },
});

/**
 * The request context: a principal set by an authenticator in the app's guard list is seen
 * by a rate limit mounted in a later guard, and by the handler (`auth`), the same way on
 * every framework.
 */
export const principalScenarios: readonly AdapterScenario[] = [
  {
    name: 'Guard: a policy that throws or rejects reaches the error handler: 500 problem with the header profile, reported once',
    async run(send) {
      for (const mode of ['sync', 'async']) {
        const before = serverErrors.length;
        const res = await send({ method: 'GET', path: '/v2/notes', headers: { 'x-test-throw': mode } });
        const body = expectProblem(res, 500, 'internal_error');
        expect(JSON.stringify(body)).not.toMatch(/failed/);
        expectProfile(res);
        expect(serverErrors.slice(before)).toHaveLength(1);
        serverErrors.splice(before);
      }
    },
  },
  {
    name: 'Misuse: valid() on a route without validate() is a BulwarkError adapter_misuse, answered 500 without its message',
    async run(send) {
      const before = serverErrors.length;
      const res = await send({ method: 'GET', path: '/v2/misuse' });
      const body = expectProblem(res, 500, 'internal_error');
      expect(JSON.stringify(body)).not.toMatch(/valid|validate/);
      const reported = serverErrors.slice(before);
      expect(reported).toHaveLength(1);
      expect(reported[0]).toBeInstanceOf(BulwarkError);
      expect((reported[0] as BulwarkError).code).toBe('adapter_misuse');
      serverErrors.splice(before);
    },
  },
  {
    name: "Guard headers: a handler's own Vary merges with the guards' (theirs after ours), never replaces it",
    request: { method: 'GET', path: '/v2/varied', headers: { origin: ALLOWED_ORIGIN } },
    check(res) {
      expect(res.status).toBe(200);
      expect(res.header('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
      const tokens = varyTokens(res);
      expect(tokens).toContain('origin');
      expect(tokens.at(-1)).toBe('accept-language');
      expect(new Set(tokens).size).toBe(tokens.length);
      expectProfile(res);
    },
  },
  {
    name: 'Principal: a per-principal limit after an authenticator counts per principal (two principals behind one IP)',
    async run(send) {
      const first = await send(as('alice'));
      expect(first.status).toBe(200);
      expect(first.json()).toEqual({ subject: 'alice', keyId: 'key-alice', apiVersion: 'v2' });
      expect(first.header('ratelimit-policy')).toBe('"principal";q=2;w=60');
      expect(first.header('ratelimit')).toMatch(/^"principal";r=1;t=\d+$/);
      expect((await send(as('alice'))).header('ratelimit')).toMatch(/^"principal";r=0;t=\d+$/);
      const refused = await send(as('alice'));
      expectProblem(refused, 429, 'rate_limited');
      expectProfile(refused);
      // Bob calls from the same address: his own budget.
      const bob = await send(as('bob'));
      expect(bob.status).toBe(200);
      expect(bob.json()).toMatchObject({ subject: 'bob' });
      expect(bob.header('ratelimit')).toMatch(/^"principal";r=1;t=\d+$/);
    },
  },
  {
    name: 'Principal: an anonymous request skips the per-principal limit and sees no auth',
    async run(send) {
      for (let i = 0; i < 3; i++) {
        const res = await send({ method: 'GET', path: '/v2/whoami' });
        expect(res.status).toBe(200);
        expect(res.json()).toEqual({ subject: null, keyId: null, apiVersion: 'v2' });
        expect(res.header('ratelimit')).toBeUndefined();
      }
    },
  },
  {
    name: 'Principal: requireAuth() answers 401 unauthenticated without a principal, and returns it with one',
    async run(send) {
      const anonymous = await send({ method: 'GET', path: '/v2/me' });
      expectProblem(anonymous, 401, 'unauthenticated');
      expectProfile(anonymous);
      const alice = await send({ method: 'GET', path: '/v2/me', headers: { 'x-test-principal': 'alice' } });
      expect(alice.status).toBe(200);
      expect(alice.json()).toEqual({ subject: 'alice' });
    },
  },
  {
    name: 'Principal: a second authenticator naming the same subject is fine, another subject is 400 invalid_request',
    async run(send) {
      const same = await send(as('carol', 'carol'));
      expect(same.status).toBe(200);
      expect(same.json()).toMatchObject({ subject: 'carol', keyId: 'key-carol' });
      const conflict = await send(as('dave', 'eve'));
      const body = expectProblem(conflict, 400, 'invalid_request');
      expect(JSON.stringify(body)).not.toMatch(/dave|eve/);
      expectProfile(conflict);
    },
  },
];
