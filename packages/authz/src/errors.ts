import { BulwarkError } from '@bulwark/core';

/**
 * The one error for an object the principal may not see and for one that does not exist:
 * a `BulwarkError` with code `not_found`, answered by every adapter's error handler as the
 * standard 404 problem (the same bytes as an unmatched route). One message for both cases,
 * so nothing in it tells them apart either.
 *
 * @example
 * ```ts
 * declare const note: { ownerId: string } | undefined;
 * if (note?.ownerId !== principal.subject) throw notFoundError(); // missing or not theirs: one 404
 * ```
 */
export function notFoundError(): BulwarkError {
  return new BulwarkError('not_found', 'No resource matches this id for this principal.');
}

/**
 * A refused action: a `BulwarkError` with code `forbidden` (403).
 *
 * @example
 * ```ts
 * if (!principal.scopes.includes('admin')) throw forbiddenError();
 * ```
 */
export function forbiddenError(): BulwarkError {
  return new BulwarkError('forbidden', 'The principal may not perform this action.');
}
