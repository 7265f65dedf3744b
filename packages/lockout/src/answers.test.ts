import { decisionForError } from '@bulwark/core';
import { describe, expect, it } from 'vitest';
import { LoginLockedError, lockedDecision } from './answers.js';

describe('LoginLockedError', () => {
  it('is answered by core exactly as lockedDecision answers: 429, Retry-After, retryAfter, the same words', () => {
    const thrown = decisionForError(new LoginLockedError(899.2), { onError: () => {} });
    expect(thrown).toEqual(lockedDecision(900));
    expect(thrown.headers).toEqual([['retry-after', '900']]);
  });
});
