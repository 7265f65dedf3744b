import { describe, expect, it } from 'vitest';
import { decisionForError, problemJson } from './error-decision.js';
import { STATUS_BY_CODE, TITLE_BY_CODE } from './errors.js';

/** The 4xx statuses of the IANA HTTP status code registry (RFC 9110, 6585, 7725, 8470, 4918). */
const REGISTERED_4XX = [
  400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413, 414, 415, 416, 417, 418, 421, 422, 423, 424,
  425, 426, 428, 429, 431, 451,
];

describe('decisionForError: thrown client statuses', () => {
  it('keeps every registered 4xx status a handler or framework throws, with its own code and title', () => {
    for (const status of REGISTERED_4XX) {
      if (status === 407 || status === 418) continue;
      for (const err of [{ status }, { statusCode: status }, Object.assign(new Error('secret row 17'), { status })]) {
        const decision = decisionForError(err);
        expect(decision.status, String(status)).toBe(status);
        expect(STATUS_BY_CODE[decision.code]).toBe(status);
        expect(decision.problem.title).toBe(TITLE_BY_CODE[decision.code]);
        expect(problemJson(decision)).not.toContain('secret');
      }
    }
    expect(decisionForError({ status: 409 }).code).toBe('conflict');
    expect(decisionForError({ status: 410 }).code).toBe('gone');
    expect(decisionForError({ statusCode: 408 }).code).toBe('request_timeout');
  });

  it('answers 400 for 407 (a proxy challenge), 418 (unused) and unregistered 4xx statuses', () => {
    for (const status of [407, 418, 419, 420, 427, 430, 440, 449, 450, 499])
      expect(decisionForError({ status }).code, String(status)).toBe('bad_request');
  });

  it('has a title for every code and only client or server error statuses', () => {
    expect(Object.keys(TITLE_BY_CODE).sort()).toEqual(Object.keys(STATUS_BY_CODE).sort());
    for (const status of Object.values(STATUS_BY_CODE)) expect(status >= 400 && status < 600).toBe(true);
  });
});

describe('decisionForError: a busy service', () => {
  it('answers 503 service_busy with Retry-After from the error, and none without a usable value', async () => {
    const { BulwarkError } = await import('./errors.js');
    const busy = Object.assign(new BulwarkError('service_busy', 'hasher at capacity'), { retryAfter: 2 });
    const decision = decisionForError(busy, { onError: () => {} });
    expect(decision.status).toBe(503);
    expect(decision.headers).toEqual([['retry-after', '2']]);
    expect(problemJson(decision)).not.toContain('capacity');
    for (const retryAfter of [undefined, 0, -1, 1.5, '2'])
      expect(
        decisionForError(Object.assign(new BulwarkError('service_busy', 'x'), { retryAfter }), { onError: () => {} })
          .headers,
      ).toEqual([]);
  });
});

describe('decisionForError: a locked sign-in', () => {
  it('answers a thrown login_locked with Retry-After and retryAfter, in the fixed words, never the message', async () => {
    const { BulwarkError } = await import('./errors.js');
    const locked = Object.assign(new BulwarkError('login_locked', 'account alice locked'), { retryAfter: 900 });
    const decision = decisionForError(locked, { onError: () => {} });
    expect(decision.status).toBe(429);
    expect(decision.headers).toEqual([['retry-after', '900']]);
    expect(decision.problem).toMatchObject({ code: 'login_locked', retryAfter: 900 });
    expect(problemJson(decision)).not.toContain('alice');
    expect(decisionForError(new BulwarkError('login_locked', 'x'), { onError: () => {} }).headers).toEqual([]);
  });
});
