import type { AuthFailedEvent } from '@bulwark/core';
import { expect } from 'vitest';
import type { ProbeRequest, ProbeResponse } from '../http-client.js';
import { sendRaw } from '../raw-client.js';
import { AUTH_REALM, authEvents } from './auth-fixture.js';
import { expectProblem, expectProfile } from './expect.js';
import type { AdapterScenario, SequenceScenario } from './scenario.js';

const CHALLENGE = `Bearer realm="${AUTH_REALM}"`;
const INVALID_REQUEST = `${CHALLENGE}, error="invalid_request"`;
const INVALID_TOKEN = `${CHALLENGE}, error="invalid_token"`;

const DETAIL = {
  unauthenticated: 'This resource requires authentication.',
  invalid_request: 'The Authorization header is not a valid Bearer credential.',
  invalid_token: 'The access token is not valid.',
  invalid_api_key: 'The API key is not valid.',
  insufficient_scope: 'The credential does not grant every scope this resource requires.',
} as const;

const me = (headers: Record<string, string> = {}): ProbeRequest => ({ method: 'GET', path: '/v2/me', headers });
const bearer = (token: string) => me({ authorization: `Bearer ${token}` });

/** A 401/400/403 of the table: status, code, the one fixed detail, the exact challenge, the profile. */
function expectAuthProblem(res: ProbeResponse, status: number, code: keyof typeof DETAIL, challenge: string) {
  const body = expectProblem(res, status, code);
  expect(body.detail).toBe(DETAIL[code]);
  expect(res.header('www-authenticate')).toBe(challenge);
  expectProfile(res);
  return body;
}

/** The `auth.failed` events a scenario caused, taken off the process-wide log. */
async function failures(run: () => Promise<void>): Promise<AuthFailedEvent[]> {
  const before = authEvents.length;
  await run();
  const caused = authEvents.splice(before).filter((e): e is AuthFailedEvent => e.type === 'auth.failed');
  return caused;
}

/** Two `Authorization` fields in one request: only a raw socket sends them. */
const twoFields = (first: string, second: string) =>
  `GET /v2/me HTTP/1.1\r\nHost: localhost\r\nAuthorization: ${first}\r\nAuthorization: ${second}\r\nConnection: close\r\n\r\n`;

const malformedRows: readonly [string, string][] = [
  ['`Bearer` with nothing after it', 'Bearer'],
  ['two tokens in one field', 'Bearer tok-alice tok-bob'],
  ['a character outside b64token', 'Bearer tok-alice!'],
  ['a quoted token', 'Bearer "tok-alice"'],
  ['padding inside the token', 'Bearer tok=alice'],
];

/** Every row of DEMO.md's authentication table, with `authenticate()` required. */
export const authScenarios: readonly AdapterScenario[] = [
  {
    name: 'Auth: no credential is 401 unauthenticated with a challenge without error (RFC 6750 §3.1)',
    request: me(),
    check(res) {
      expectAuthProblem(res, 401, 'unauthenticated', CHALLENGE);
    },
  },
  {
    name: 'Auth: only another scheme (Basic) is 401 unauthenticated, the same answer',
    request: me({ authorization: 'Basic YWxpY2U6c2VjcmV0' }),
    check(res) {
      const body = expectAuthProblem(res, 401, 'unauthenticated', CHALLENGE);
      expect(JSON.stringify(body)).not.toMatch(/YWxpY2U/);
    },
  },
  ...malformedRows.map(
    ([label, authorization]): SequenceScenario => ({
      name: `Auth: a malformed Bearer credential (${label}) is 400 invalid_request, no authenticator asked`,
      async run(send) {
        const events = await failures(async () => {
          const res = await send(me({ authorization }));
          const body = expectAuthProblem(res, 400, 'invalid_request', INVALID_REQUEST);
          expect(JSON.stringify(body)).not.toMatch(/tok/);
        });
        expect(events.map((e) => [e.authenticator, e.code, e.reason])).toEqual([
          [null, 'invalid_request', 'malformed'],
        ]);
      },
    }),
  ),
  {
    name: 'Auth: two Authorization fields are 400 invalid_request, even when the first holds a valid token',
    raw: twoFields('Bearer tok-alice', 'Bearer tok-bob'),
    check(res) {
      expectAuthProblem(res, 400, 'invalid_request', INVALID_REQUEST);
    },
  },
  {
    name: 'Auth: two Authorization fields with the same valid token are 400 invalid_request too',
    raw: twoFields('Bearer tok-alice', 'Bearer tok-alice'),
    check(res) {
      expectAuthProblem(res, 400, 'invalid_request', INVALID_REQUEST);
    },
  },
  {
    name: 'Auth: a failing token is 401 invalid_token; one answer for every reason, never the token; the reason in the event',
    async run(send) {
      let forged: ProbeResponse | undefined;
      let expired: ProbeResponse | undefined;
      const events = await failures(async () => {
        forged = await send(bearer('tok-mallory.forged'));
        expired = await send(bearer('tok-expired-alice'));
      });
      for (const res of [forged, expired] as ProbeResponse[]) {
        const body = expectAuthProblem(res, 401, 'invalid_token', INVALID_TOKEN);
        expect(JSON.stringify(body)).not.toMatch(/mallory|forged|expired-alice/);
      }
      expect(forged?.text).toBe(expired?.text);
      expect(events.map((e) => [e.authenticator, e.code, e.reason])).toEqual([
        ['test-jwt', 'invalid_token', 'signature'],
        ['test-jwt', 'invalid_token', 'expired'],
      ]);
      expect(JSON.stringify(events)).not.toMatch(/tok-|mallory|alice/);
    },
  },
  {
    name: 'Auth: a failing API key (X-API-Key or a bk_ bearer value) is 401 invalid_api_key with the invalid_token challenge',
    async run(send) {
      const events = await failures(async () => {
        for (const headers of [{ 'x-api-key': 'bk_nobody_k1' }, { authorization: 'Bearer bk_nobody_k1' }]) {
          const body = expectAuthProblem(await send(me(headers)), 401, 'invalid_api_key', INVALID_TOKEN);
          expect(JSON.stringify(body)).not.toMatch(/bk_|nobody/);
        }
      });
      expect(events.map((e) => [e.authenticator, e.code, e.reason])).toEqual([
        ['test-api-key', 'invalid_api_key', 'unknown_credential'],
        ['test-api-key', 'invalid_api_key', 'unknown_credential'],
      ]);
    },
  },
  {
    name: 'Auth: two credentials (an API key beside a token) are 400 invalid_request: neither rides on the other',
    async run(send) {
      // A bad key beside a valid token, a valid key beside a bad token, two valid ones, and a
      // valid key beside a bearer value no authenticator claims.
      for (const headers of [
        { 'x-api-key': 'bk_nobody_k1', authorization: 'Bearer tok-alice' },
        { 'x-api-key': 'bk_alice_k7', authorization: 'Bearer tok-nobody' },
        { 'x-api-key': 'bk_alice_k7', authorization: 'Bearer tok-alice' },
      ]) {
        const res = await send(me(headers));
        const body = expectProblem(res, 400, 'invalid_request');
        expect(body.detail).toBe('The request carries more than one credential: send one.');
        expect(res.header('www-authenticate')).toBe(INVALID_REQUEST);
        expectProfile(res);
      }
    },
  },
  {
    name: 'Auth: a valid token authenticates; handlers see the principal (sync and async verification alike)',
    async run(send) {
      for (const token of ['tok-alice', 'async-tok-alice']) {
        const res = await send(bearer(token));
        expect(res.status).toBe(200);
        expect(res.header('www-authenticate')).toBeUndefined();
        expect(res.json()).toEqual({
          subject: 'alice',
          scopes: ['notes:read', 'notes:write'],
          source: { kind: 'jwt', issuer: 'https://issuer.test', tokenId: 'jti-alice' },
        });
        expectProfile(res);
      }
      // The scheme is case-insensitive and several spaces may separate it from the token.
      expect((await send(me({ authorization: 'bEaReR   tok-bob' }))).json()).toMatchObject({ subject: 'bob' });
    },
  },
  {
    name: 'Auth: a valid API key authenticates as its owner with the key scopes, from X-API-Key or Bearer',
    async run(send) {
      for (const headers of [{ 'x-api-key': 'bk_alice_k7' }, { authorization: 'Bearer bk_alice_k7' }]) {
        const res = await send(me(headers));
        expect(res.status).toBe(200);
        expect(res.json()).toEqual({
          subject: 'alice',
          scopes: ['notes:read'],
          source: { kind: 'api_key', keyId: 'key-k7' },
        });
      }
    },
  },
  {
    name: 'Scopes: a valid credential without the route scope is 403 insufficient_scope, scope= and required_scope',
    async run(send) {
      const before = authEvents.length;
      const res = await send({ method: 'POST', path: '/v2/notes', headers: { authorization: 'Bearer tok-bob' } });
      const body = expectAuthProblem(
        res,
        403,
        'insufficient_scope',
        `${CHALLENGE}, error="insufficient_scope", scope="notes:write"`,
      );
      expect(body.required_scope).toBe('notes:write');
      const several = await send({
        method: 'GET',
        path: '/v2/reports',
        headers: { authorization: 'Bearer tok-alice' },
      });
      const second = expectAuthProblem(
        several,
        403,
        'insufficient_scope',
        `${CHALLENGE}, error="insufficient_scope", scope="notes:read reports:write"`,
      );
      expect(second.required_scope).toBe('notes:read reports:write');
      const denied = authEvents.splice(before).filter((e) => e.type === 'authz.denied');
      expect(denied.map((e) => e.type === 'authz.denied' && [e.required, e.missing])).toEqual([
        [['notes:write'], ['notes:write']],
        [['notes:read', 'reports:write'], ['reports:write']],
      ]);
    },
  },
  {
    name: 'Scopes: a credential with every required scope passes requireScopes, the handler sees the principal',
    async run(send) {
      const created = await send({ method: 'POST', path: '/v2/notes', headers: { authorization: 'Bearer tok-alice' } });
      expect(created.status).toBe(201);
      expect(created.json()).toEqual({ owner: 'alice' });
      const reports = await send({
        method: 'GET',
        path: '/v2/reports',
        headers: { authorization: 'Bearer async-tok-carol' },
      });
      expect(reports.status).toBe(200);
      expect(reports.json()).toEqual({ reports: [], owner: 'carol' });
    },
  },
  {
    name: 'Rate limit by principal: two users behind one IP have separate budgets',
    async run(send) {
      const as = (token: string) =>
        send({ method: 'GET', path: '/v2/limited', headers: { authorization: `Bearer ${token}` } });
      for (const remaining of [1, 0]) {
        const res = await as('tok-dave');
        expect(res.status).toBe(200);
        expect(res.header('ratelimit')).toMatch(new RegExp(`^"principal";r=${remaining};t=\\d+$`));
      }
      const refused = await as('tok-dave');
      expectProblem(refused, 429, 'rate_limited');
      expectProfile(refused);
      // Carol calls from the same address (and through the async path): her own budget.
      const carol = await as('async-tok-carol');
      expect(carol.status).toBe(200);
      expect(carol.json()).toEqual({ subject: 'carol' });
      expect(carol.header('ratelimit')).toMatch(/^"principal";r=1;t=\d+$/);
    },
  },
];

/** `authenticate(..., { optional: true })`: anonymous requests go on, presented credentials are still checked. */
export const optionalAuthScenarios: readonly AdapterScenario[] = [
  {
    name: 'Optional auth: no credential goes on anonymously',
    request: { method: 'GET', path: '/v2/whoami' },
    check(res) {
      expect(res.status).toBe(200);
      expect(res.json()).toEqual({ subject: null });
      expect(res.header('www-authenticate')).toBeUndefined();
    },
  },
  {
    name: 'Optional auth: requireAuth() without a principal is 401 unauthenticated with the Bearer challenge (RFC 9110 §15.5.2)',
    request: me(),
    check(res) {
      expectAuthProblem(res, 401, 'unauthenticated', CHALLENGE);
    },
  },
  {
    name: 'Optional auth: requireScopes() without a principal is 401 unauthenticated with the challenge',
    request: { method: 'POST', path: '/v2/notes' },
    check(res) {
      expectAuthProblem(res, 401, 'unauthenticated', CHALLENGE);
    },
  },
  {
    name: 'Optional auth: a failing token or API key is refused, never anonymous',
    async run(send) {
      for (const path of ['/v2/whoami', '/v2/me']) {
        expectAuthProblem(
          await send({ method: 'GET', path, headers: { authorization: 'Bearer tok-mallory' } }),
          401,
          'invalid_token',
          INVALID_TOKEN,
        );
        expectAuthProblem(
          await send({ method: 'GET', path, headers: { 'x-api-key': 'bk_nobody_k1' } }),
          401,
          'invalid_api_key',
          INVALID_TOKEN,
        );
      }
    },
  },
  {
    name: 'Optional auth: a malformed Authorization field is 400, two fields too',
    async run(send, target) {
      expectAuthProblem(
        await send({ method: 'GET', path: '/v2/whoami', headers: { authorization: 'Bearer a b' } }),
        400,
        'invalid_request',
        INVALID_REQUEST,
      );
      expectAuthProblem(
        await sendRaw(target.baseUrl, twoFields('Bearer tok-alice', 'Bearer tok-bob')),
        400,
        'invalid_request',
        INVALID_REQUEST,
      );
    },
  },
  {
    name: 'Optional auth: a valid credential sets the principal',
    request: { method: 'GET', path: '/v2/whoami', headers: { authorization: 'Bearer tok-bob' } },
    check(res) {
      expect(res.status).toBe(200);
      expect(res.json()).toEqual({ subject: 'bob' });
    },
  },
];
