import { type RefusalDecision, requestView } from '@bulwark/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { requestValidator } from './index.js';

const FORM = 'application/x-www-form-urlencoded';
const enc = (text: string) => new TextEncoder().encode(text);
const ALLOWED = /^[\x20\x21\x23-\x5b\x5d-\x7e]+$/;

const schema = z.object({ grant_type: z.enum(['refresh_token']), refresh_token: z.string().max(8).optional() });
const forms = {
  problem: requestValidator({ body: schema, bodyType: 'form' }),
  oauth: requestValidator({ body: schema, bodyType: 'form', errorFormat: 'oauth' }),
};
const jsons = {
  problem: requestValidator({ body: schema, maxDepth: 3 }),
  oauth: requestValidator({ body: schema, maxDepth: 3, errorFormat: 'oauth' }),
};

const PIECES = ['grant_type', 'refresh_token', '=', '&', '%', '%FF', '%C3', '%41', '__proto__', 'x', '+', 'é'];
const hostileForm = fc.array(fc.constantFrom(...PIECES), { maxLength: 12 }).map((parts) => parts.join(''));
const JSON_PIECES = ['{', '}', '[', ']', '"grant_type"', '"__proto__"', ':', ',', '"refresh_token"', '"\\ud800"', '1'];
const hostileJson = fc.array(fc.constantFrom(...JSON_PIECES), { maxLength: 12 }).map((parts) => parts.join(''));

function send(validators: typeof forms, contentType: string, body: Uint8Array, headers: Record<string, string> = {}) {
  const view = requestView({
    method: 'POST',
    path: '/oauth/token',
    headers: { 'content-type': contentType, ...headers },
  });
  const answer = (v: typeof forms.problem) => {
    const head = v.checkHead(view);
    if (head !== undefined) return { ok: false as const, decision: head };
    return v.validate({ view, rawQuery: '', params: {}, body });
  };
  return { problem: answer(validators.problem), oauth: answer(validators.oauth) };
}

/** The OAuth answer matches the problem one: same verdict, status mapped, body in §5.2 form. */
function expectSameVerdict(problem: ReturnType<typeof send>['problem'], oauth: ReturnType<typeof send>['oauth']) {
  expect(oauth.ok).toBe(problem.ok);
  if (problem.ok || oauth.ok) {
    expect(oauth).toEqual(problem);
    return;
  }
  const refused: RefusalDecision = oauth.decision;
  if (refused.kind !== 'respond') throw new Error('expected an OAuth answer');
  const status = problem.decision.status;
  expect(refused.status).toBe([408, 413, 415].includes(status) ? status : 400);
  const body = JSON.parse(refused.body ?? '') as Record<string, string>;
  expect(Object.keys(body)).toEqual(['error', 'error_description']);
  expect(body.error).toBe('invalid_request');
  expect(body.error_description).toMatch(ALLOWED);
}

describe("errorFormat: 'oauth' (properties)", () => {
  it('refuses exactly what the problem form refuses, every refusal in the §5.2 form (form bodies)', () => {
    fc.assert(
      fc.property(hostileForm, (body) => {
        const { problem, oauth } = send(forms, FORM, enc(body));
        expectSameVerdict(problem, oauth);
      }),
      { numRuns: 500 },
    );
  });

  it('does the same for JSON bodies, whose problem details hold characters §5.2 forbids', () => {
    fc.assert(
      fc.property(hostileJson, (body) => {
        const { problem, oauth } = send(jsons, 'application/json', enc(body));
        expectSameVerdict(problem, oauth);
      }),
      { numRuns: 500 },
    );
  });

  it('does the same for the head checks (type, coding, length)', () => {
    const type = fc.constantFrom(FORM, `${FORM}; charset=latin1`, 'application/json', 'text/plain', `${FORM}, ${FORM}`);
    const coding = fc.constantFrom(undefined, 'identity', 'gzip');
    const length = fc.constantFrom(undefined, '10', '999999999', 'x');
    fc.assert(
      fc.property(type, coding, length, (contentType, encoding, contentLength) => {
        const headers: Record<string, string> = {};
        if (encoding !== undefined) headers['content-encoding'] = encoding;
        if (contentLength !== undefined) headers['content-length'] = contentLength;
        const { problem, oauth } = send(forms, contentType, enc('grant_type=refresh_token'), headers);
        expectSameVerdict(problem, oauth);
      }),
    );
  });
});
