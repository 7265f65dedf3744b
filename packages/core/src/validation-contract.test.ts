import { describe, expect, it } from 'vitest';
import { bodyTimeoutError } from './body.js';
import { type RefusalDecision, respond } from './decision.js';
import { standardDeny } from './error-decision.js';
import { requestView } from './request-view.js';
import { type RequestValidator, runValidation } from './validation-contract.js';

// A validator that answers its refusals as complete answers (as `errorFormat: 'oauth'` does).
const answer = (status: number): RefusalDecision => respond(status, [['content-type', 'application/json']], '{}');

function validator(head: RefusalDecision | undefined): RequestValidator {
  return {
    hasBody: true,
    bodyLimit: 10,
    bodyTimeout: 1000,
    hasOutput: false,
    checkHead: () => head,
    tooLarge: () => answer(413),
    timedOut: () => answer(408),
    validate: () => ({ ok: false, decision: answer(400) }),
    filterOutput: (value) => value,
  };
}

const parts = { view: requestView({ method: 'POST', path: '/t' }), rawQuery: '', params: {} };

describe('runValidation', () => {
  it('carries any refusal a validator makes, problem or complete answer, at each step', async () => {
    const unread = async () => {
      throw new Error('the body must not be read after a head refusal');
    };
    expect(await runValidation(validator(answer(415)), parts, unread)).toEqual({ ok: false, decision: answer(415) });
    const problem = standardDeny('unsupported_media_type');
    expect(await runValidation(validator(problem), parts, unread)).toEqual({ ok: false, decision: problem });
    expect(await runValidation(validator(undefined), parts, async () => undefined)).toEqual({
      ok: false,
      decision: answer(413),
    });
    const late = async () => {
      throw bodyTimeoutError(1000);
    };
    expect(await runValidation(validator(undefined), parts, late)).toEqual({ ok: false, decision: answer(408) });
    expect(await runValidation(validator(undefined), parts, async () => new Uint8Array(1))).toEqual({
      ok: false,
      decision: answer(400),
    });
  });
});
