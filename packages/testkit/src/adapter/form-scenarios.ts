import { expect } from 'vitest';
import type { ProbeResponse } from '../http-client.js';
import { expectProblem, expectProfile } from './expect.js';
import { CONFORMANCE_FORM_LIMIT, formEvents } from './form-fixture.js';
import type { AdapterScenario } from './scenario.js';

const FORM = 'application/x-www-form-urlencoded';
const FORM_TYPE = { 'content-type': FORM };
const PROBLEMS = '/v2/forms/token';
const OAUTH = '/oauth/token';
const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';

const post = (path: string, body: string | Uint8Array, headers: Record<string, string> = FORM_TYPE) => ({
  method: 'POST',
  path,
  headers,
  body,
});

/** An RFC 6749 §5.2 error answer: JSON, never cached, `invalid_request`, a description in §5.2's characters. */
function expectOAuthError(res: ProbeResponse, status: number): string {
  expect(res.status).toBe(status);
  expect(res.header('content-type')).toBe('application/json');
  expect(res.header('cache-control')).toBe('no-store');
  expect(res.header('pragma')).toBe('no-cache');
  const body = res.json() as Record<string, unknown>;
  expect(Object.keys(body)).toEqual(['error', 'error_description']);
  expect(body.error).toBe('invalid_request');
  expect(body.error_description).toMatch(/^[\x20\x21\x23-\x5b\x5d-\x7e]+$/);
  expectProfile(res);
  return body.error_description as string;
}

/** One scenario per route: the problem form and the OAuth form of the same refusal. */
function refusedOnBoth(
  what: string,
  request: (path: string) => ReturnType<typeof post>,
  problem: { status: number; code: string; check?: (body: Record<string, unknown>) => void },
  oauthStatus: number,
): AdapterScenario[] {
  return [
    {
      name: `Forms: ${what} is ${problem.status} ${problem.code}`,
      request: request(PROBLEMS),
      check(res) {
        const body = expectProblem(res, problem.status, problem.code);
        problem.check?.(body);
        expectProfile(res);
      },
    },
    {
      name: `Forms: ${what} is ${oauthStatus} invalid_request in the OAuth error form`,
      request: request(OAUTH),
      check(res) {
        expectOAuthError(res, oauthStatus);
      },
    },
  ];
}

const OVERSIZED = `grant_type=refresh_token&refresh_token=${'r'.repeat(CONFORMANCE_FORM_LIMIT)}`;
const INVALID_UTF8 = Uint8Array.from([...new TextEncoder().encode('grant_type=refresh_token&client_id='), 0xc3, 0x28]);

/** Form bodies (`bodyType: 'form'`) and the OAuth error form (`errorFormat: 'oauth'`): the same answers on every framework. */
export const formScenarios: readonly AdapterScenario[] = [
  ...[PROBLEMS, OAUTH].map(
    (path): AdapterScenario => ({
      name: `Forms: a token request reaches the handler as parsed string fields (${path})`,
      request: post(
        path,
        `grant_type=authorization_code&code=c0de-123&code_verifier=${VERIFIER}` +
          '&redirect_uri=http%3A%2F%2Flocalhost%3A5173%2Fcallback&client_id=notes+spa+%C3%A9',
      ),
      check(res) {
        expect(res.status).toBe(200);
        expect(res.json()).toEqual({
          received: {
            grant_type: 'authorization_code',
            code: 'c0de-123',
            code_verifier: VERIFIER,
            redirect_uri: 'http://localhost:5173/callback',
            client_id: 'notes spa é',
          },
        });
      },
    }),
  ),
  {
    name: 'Forms: a form with charset=UTF-8 is accepted',
    request: post(OAUTH, 'grant_type=refresh_token&refresh_token=r1', { 'content-type': `${FORM}; charset=UTF-8` }),
    check(res) {
      expect(res.status).toBe(200);
      expect(res.json()).toEqual({ received: { grant_type: 'refresh_token', refresh_token: 'r1' } });
    },
  },
  ...refusedOnBoth(
    'a JSON body on a form route',
    (path) => post(path, '{"grant_type":"refresh_token"}', { 'content-type': 'application/json' }),
    { status: 415, code: 'unsupported_media_type', check: (body) => expect(body.accepted).toEqual([FORM]) },
    415,
  ),
  ...refusedOnBoth(
    'a form in another charset',
    (path) => post(path, 'grant_type=refresh_token', { 'content-type': `${FORM}; charset=iso-8859-1` }),
    { status: 415, code: 'unsupported_media_type' },
    415,
  ),
  ...refusedOnBoth(
    'a form without a content type',
    (path) => post(path, 'grant_type=refresh_token', {}),
    { status: 415, code: 'unsupported_media_type' },
    415,
  ),
  ...refusedOnBoth(
    'a form over the limit with Content-Length',
    (path) => post(path, OVERSIZED, { ...FORM_TYPE, 'content-length': String(OVERSIZED.length) }),
    { status: 413, code: 'payload_too_large' },
    413,
  ),
  ...[PROBLEMS, OAUTH].map(
    (path): AdapterScenario => ({
      name: `Forms: a chunked form over the limit is 413, closes the connection and is reported (${path})`,
      async run(send) {
        const before = formEvents.length;
        const res = await send(post(path, OVERSIZED.repeat(2), { ...FORM_TYPE, connection: 'keep-alive' }));
        if (path === OAUTH) expectOAuthError(res, 413);
        else expectProblem(res, 413, 'payload_too_large');
        expect(res.headers.connection).toBe('close');
        expect(formEvents.slice(before)).toEqual([
          expect.objectContaining({ type: 'validation.failed', target: 'size', status: 413 }),
        ]);
      },
    }),
  ),
  ...refusedOnBoth(
    'a field given twice (however spelled)',
    (path) => post(path, 'grant_type=refresh_token&refresh_token=a&refresh%5Ftoken=b'),
    {
      status: 400,
      code: 'bad_request',
      check: (body) =>
        expect(body.errors).toEqual([{ pointer: '/refresh_token', detail: 'Given more than once.', in: 'body' }]),
    },
    400,
  ),
  ...refusedOnBoth(
    'malformed percent-encoding',
    (path) => post(path, 'grant_type=refresh_token&refresh_token=%E0%A4%A'),
    { status: 400, code: 'bad_request' },
    400,
  ),
  ...refusedOnBoth(
    'escaped bytes that are not UTF-8',
    (path) => post(path, 'grant_type=refresh_token&client_id=%FF'),
    { status: 400, code: 'bad_request' },
    400,
  ),
  ...refusedOnBoth(
    'a body that is not UTF-8',
    (path) => post(path, INVALID_UTF8),
    { status: 400, code: 'bad_request' },
    400,
  ),
  ...refusedOnBoth(
    'a __proto__ field',
    (path) => post(path, 'grant_type=refresh_token&__proto__=x&%5F%5Fproto%5F%5F%5BisAdmin%5D=1'),
    { status: 400, code: 'bad_request', check: (body) => expect(body.detail).toMatch(/forbidden key/) },
    400,
  ),
  ...refusedOnBoth(
    'a schema failure (unknown field, value out of the enum)',
    (path) => post(path, 'grant_type=password&username=alice&password=hunter2-secret'),
    {
      status: 422,
      code: 'validation_failed',
      check: (body) =>
        expect((body.errors as Array<{ pointer: string }>).map((e) => e.pointer).sort()).toEqual([
          '/grant_type',
          '/password',
          '/username',
        ]),
    },
    400,
  ),
  {
    name: 'Forms: an OAuth refusal echoes neither values nor parameter names, and is reported',
    async run(send) {
      const before = formEvents.length;
      const res = await send(post(OAUTH, 'grant_type=refresh_token&client_secret=s3cr3t-value&x_extra_name=1'));
      expectOAuthError(res, 400);
      for (const echo of ['s3cr3t-value', 'client_secret', 'x_extra_name']) expect(res.text).not.toContain(echo);
      expect(formEvents.slice(before)).toEqual([
        expect.objectContaining({ type: 'validation.failed', target: 'body', status: 400, errorCount: 2 }),
      ]);
    },
  },
];
