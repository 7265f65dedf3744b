import { ConfigError, type RefusalDecision, requestView, type SecurityEvent } from '@bulwark/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { requestValidator } from './index.js';
import { problemOf } from './test-helpers.js';

const FORM = 'application/x-www-form-urlencoded';
const enc = (text: string) => new TextEncoder().encode(text);
const view = (headers: Record<string, string> = { 'content-type': FORM }) =>
  requestView({ method: 'POST', path: '/oauth/token', headers });
const tokenRequest = z.object({
  grant_type: z.enum(['authorization_code', 'refresh_token']),
  code: z.string().optional(),
  code_verifier: z.string().optional(),
  refresh_token: z.string().optional(),
  client_id: z.string().optional(),
});
type Validator = ReturnType<typeof requestValidator>;
const run = (v: Validator, body: string | Uint8Array, rawQuery = '') =>
  v.validate({ view: view(), rawQuery, params: {}, body: typeof body === 'string' ? enc(body) : body });
const refusal = (r: ReturnType<typeof run>): RefusalDecision => {
  if (r.ok) throw new Error('expected a refusal');
  return r.decision;
};

describe("bodyType: 'form'", () => {
  const v = requestValidator({ body: tokenRequest, bodyType: 'form' });

  it.each([
    ['no content type', {}],
    ['JSON', { 'content-type': 'application/json' }],
    ['multipart', { 'content-type': 'multipart/form-data; boundary=x' }],
    ['a Latin-1 form', { 'content-type': `${FORM}; charset=iso-8859-1` }],
  ])('refuses %s with 415 listing the form type', (_name, headers) => {
    const decision = v.checkHead(view(headers as Record<string, string>));
    expect(decision?.status).toBe(415);
    expect(problemOf(decision).accepted).toEqual([FORM]);
  });

  it('accepts the form type, in any case, with a UTF-8 charset or none', () => {
    for (const type of [FORM, 'Application/X-WWW-Form-URLEncoded', `${FORM}; charset=UTF-8`, `${FORM};charset="utf-8"`])
      expect(v.checkHead(view({ 'content-type': type })), type).toBeUndefined();
  });

  it('hands the schema the fields as strings and answers its output', () => {
    const r = run(v, 'grant_type=authorization_code&code=c0de&code_verifier=a-b.c_d%7Ee&client_id=notes-spa');
    expect(r).toEqual({
      ok: true,
      data: {
        body: { grant_type: 'authorization_code', code: 'c0de', code_verifier: 'a-b.c_d~e', client_id: 'notes-spa' },
        query: undefined,
        params: undefined,
        headers: undefined,
        cookies: undefined,
      },
    });
  });

  it('gives the schema a record of strings only: no coercion', () => {
    const numbers = requestValidator({ body: z.object({ n: z.number() }), bodyType: 'form' });
    expect(refusal(run(numbers, 'n=1')).status).toBe(422);
    const coerced = requestValidator({ body: z.object({ n: z.coerce.number() }), bodyType: 'form' });
    expect(run(coerced, 'n=1')).toMatchObject({ ok: true, data: { body: { n: 1 } } });
  });

  it('lets a loose schema take unknown fields, as RFC 6749 §3.2 asks of a token endpoint', () => {
    const loose = requestValidator({ body: z.looseObject({ grant_type: z.string() }), bodyType: 'form' });
    expect(run(loose, 'grant_type=refresh_token&resource=https%3A%2F%2Fapi')).toMatchObject({
      ok: true,
      data: { body: { grant_type: 'refresh_token', resource: 'https://api' } },
    });
    // Still no repeated field and no forbidden name.
    expect(refusal(run(loose, 'grant_type=a&resource=x&resource=y')).status).toBe(400);
    expect(refusal(run(loose, 'grant_type=a&constructor=x')).status).toBe(400);
  });

  it('takes a union of objects (one per grant)', () => {
    const grants = requestValidator({
      bodyType: 'form',
      body: z.discriminatedUnion('grant_type', [
        z.object({ grant_type: z.literal('refresh_token'), refresh_token: z.string() }),
        z.object({ grant_type: z.literal('authorization_code'), code: z.string(), code_verifier: z.string() }),
      ]),
    });
    expect(run(grants, 'grant_type=refresh_token&refresh_token=r')).toMatchObject({ ok: true });
    // Strict: a field of the other grant is unknown here.
    expect(problemOf(refusal(run(grants, 'grant_type=refresh_token&refresh_token=r&code=x'))).errors).toEqual([
      { pointer: '/code', detail: 'Unknown field.', in: 'body' },
    ]);
  });

  it('refuses a field given twice with 400 and a pointer to it', () => {
    const decision = refusal(run(v, 'grant_type=refresh_token&refresh_token=a&refresh%5Ftoken=b'));
    expect(decision.status).toBe(400);
    expect(problemOf(decision)).toMatchObject({
      code: 'bad_request',
      errors: [{ pointer: '/refresh_token', detail: 'Given more than once.', in: 'body' }],
    });
  });

  it.each([
    ['invalid UTF-8', Uint8Array.from([0x67, 0x3d, 0xff]), /not valid UTF-8/],
    ['escaped bytes that are not UTF-8', 'grant_type=%FF', /not valid UTF-8/],
    ['malformed percent-encoding', 'grant_type=%zz', /does not start a %XX escape/],
    ['__proto__', 'grant_type=refresh_token&__proto__=x', /forbidden key/],
    ['constructor', 'constructor=x&grant_type=refresh_token', /forbidden key/],
  ])('refuses %s with 400', (_name, body, detail) => {
    const decision = refusal(run(v, body));
    expect(decision.status).toBe(400);
    expect(problemOf(decision).detail).toMatch(detail);
  });

  it('refuses unknown fields and schema failures with 422 pointers, never echoing values', () => {
    const decision = refusal(run(v, 'grant_type=password&username=alice&password=hunter2-secret'));
    expect(decision.status).toBe(422);
    const problem = problemOf(decision);
    expect((problem.errors as Array<{ pointer: string }>).map((e) => e.pointer).sort()).toEqual([
      '/grant_type',
      '/password',
      '/username',
    ]);
    expect(JSON.stringify(problem)).not.toContain('hunter2-secret');
  });

  it('refuses what a form body cannot be at the factory', () => {
    expect(() => requestValidator({ body: z.string(), bodyType: 'form' })).toThrow(ConfigError);
    expect(() => requestValidator({ body: z.array(z.string()), bodyType: 'form' })).toThrow(/flat record/);
    expect(() => requestValidator({ body: tokenRequest, bodyType: 'form', accepts: [FORM] })).toThrow(/accepts/);
    expect(() => requestValidator({ body: tokenRequest, bodyType: 'xml' as 'form' })).toThrow(/bodyType/);
    expect(() => requestValidator({ body: tokenRequest, errorFormat: 'html' as 'oauth' })).toThrow(/errorFormat/);
  });
});

describe("errorFormat: 'oauth'", () => {
  const events: SecurityEvent[] = [];
  const v = requestValidator({
    body: tokenRequest,
    bodyType: 'form',
    errorFormat: 'oauth',
    query: z.object({}),
    onEvent: (event) => events.push(event),
  });
  const oauth = (decision: RefusalDecision | undefined) => {
    if (decision?.kind !== 'respond') throw new Error(`expected an OAuth answer, got ${decision?.kind}`);
    return { ...decision, json: JSON.parse(decision.body ?? '') as Record<string, unknown> };
  };
  const ALLOWED = /^[\x20\x21\x23-\x5b\x5d-\x7e]+$/;

  const cases: Array<[string, () => RefusalDecision | undefined, number]> = [
    ['a JSON body (415)', () => v.checkHead(view({ 'content-type': 'application/json' })), 415],
    ['a compressed body (415)', () => v.checkHead(view({ 'content-type': FORM, 'content-encoding': 'gzip' })), 415],
    ['two Content-Type fields (400)', () => v.checkHead(view({ 'content-type': `${FORM}, text/plain` })), 400],
    [
      'an oversized Content-Length (413)',
      () => v.checkHead(view({ 'content-type': FORM, 'content-length': '999999999' })),
      413,
    ],
    ['a bogus Content-Length', () => v.checkHead(view({ 'content-type': FORM, 'content-length': '1e9' })), 400],
    ['a body over the limit (413)', () => v.tooLarge(view()), 413],
    ['a body too slow (408)', () => v.timedOut(view()), 408],
    ['a repeated field', () => refusal(run(v, 'grant_type=a&grant_type=b')), 400],
    ['malformed percent-encoding', () => refusal(run(v, 'grant_type=%')), 400],
    ['invalid UTF-8', () => refusal(run(v, 'grant_type=%C3')), 400],
    ['__proto__', () => refusal(run(v, '__proto__=1')), 400],
    ['a schema failure (422 in the problem form)', () => refusal(run(v, 'grant_type=password')), 400],
    ['an invalid query', () => refusal(run(v, 'grant_type=refresh_token', 'secret=x')), 400],
  ];

  it.each(cases)('answers %s in the RFC 6749 §5.2 form', (_name, refuse, status) => {
    const answer = oauth(refuse());
    expect(answer.status).toBe(status);
    expect(answer.headers).toEqual(
      expect.arrayContaining([
        ['content-type', 'application/json'],
        ['cache-control', 'no-store'],
        ['pragma', 'no-cache'],
      ]),
    );
    expect(Object.keys(answer.json)).toEqual(['error', 'error_description']);
    expect(answer.json.error).toBe('invalid_request');
    expect(answer.json.error_description).toMatch(ALLOWED);
  });

  it('keeps Connection: close on 413 and 408, and Accept-Encoding on a coding 415', () => {
    expect(oauth(v.tooLarge(view())).headers).toContainEqual(['connection', 'close']);
    expect(oauth(v.timedOut(view())).headers).toContainEqual(['connection', 'close']);
    const coded = oauth(v.checkHead(view({ 'content-type': FORM, 'content-encoding': 'br' })));
    expect(coded.headers).toContainEqual(['accept-encoding', 'identity']);
  });

  it('echoes neither values nor unknown parameter names', () => {
    const answer = oauth(refusal(run(v, 'grant_type=refresh_token&client_secret=s3cr3t-value&extra_name_xyz=1')));
    expect(answer.body).not.toContain('s3cr3t-value');
    expect(answer.body).not.toContain('extra_name_xyz');
    expect(answer.body).not.toContain('client_secret');
  });

  it('keeps the description within the characters §5.2 allows, for JSON refusals too', () => {
    const json = requestValidator({ body: z.object({ a: z.string() }), errorFormat: 'oauth' });
    const body = (text: string) =>
      json.validate({ view: view({ 'content-type': 'application/json' }), rawQuery: '', params: {}, body: enc(text) });
    // The problem detail of a lone surrogate names the escapes with backslashes.
    for (const text of ['{"a":"\\ud800"}', '{"a":', '{"__proto__":1}', '{"a":1}']) {
      const answer = oauth(refusal(body(text)));
      expect(answer.status).toBe(400);
      expect(answer.json.error_description, text).toMatch(ALLOWED);
    }
  });

  it('emits validation.failed with the status it answers', () => {
    events.length = 0;
    run(v, 'grant_type=password');
    v.tooLarge(view());
    expect(events).toEqual([
      expect.objectContaining({ type: 'validation.failed', target: 'body', status: 400, errorCount: 1 }),
      expect.objectContaining({ type: 'validation.failed', target: 'size', status: 413 }),
    ]);
  });

  it('lets valid requests through unchanged', () => {
    expect(run(v, 'grant_type=refresh_token&refresh_token=r')).toMatchObject({
      ok: true,
      data: { body: { grant_type: 'refresh_token', refresh_token: 'r' } },
    });
  });
});
