import { BulwarkError, type DenyDecision, deny } from '@bulwark/core';

/** The detail of every locked answer: the same for any account, known or not, and any scope. */
export const LOCKED_DETAIL = 'Too many failed sign-in attempts. Try again later.';

/** Whole seconds until `until`, at least 1 (a `Retry-After` of 0 invites an immediate retry). */
export function retryAfterSeconds(until: number, now: number): number {
  return Math.max(1, Math.ceil((until - now) / 1000));
}

/**
 * The answer to a sign-in refused while locked: 429 `login_locked`, `Retry-After` and the
 * problem's `retryAfter` (seconds). It names no scope and no account, so it reads the same
 * for a known and an unknown account.
 *
 * @example
 * ```ts
 * const decision = lockedDecision(900); // 429, Retry-After: 900
 * ```
 */
export function lockedDecision(retryAfter: number): DenyDecision {
  const seconds = Math.max(1, Math.ceil(retryAfter));
  return deny('login_locked', LOCKED_DETAIL, {
    headers: [['retry-after', String(seconds)]],
    extensions: { retryAfter: seconds },
  });
}

/**
 * The same refusal as an error, for code that answers by throwing. `retryAfter` is in
 * seconds; an error handler that knows `login_locked` sends it as `Retry-After`.
 */
export class LoginLockedError extends BulwarkError {
  readonly retryAfter: number;

  constructor(retryAfter: number) {
    super('login_locked', LOCKED_DETAIL);
    this.name = 'LoginLockedError';
    this.retryAfter = Math.max(1, Math.ceil(retryAfter));
  }
}
