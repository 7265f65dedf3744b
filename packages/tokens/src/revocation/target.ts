import { BulwarkError } from '@bulwark/core';
import type { RevocationTarget } from '../revocation.js';

/**
 * The longest `jti` or `sid` a store keeps. Ours are 22 characters (128 bits in base64url);
 * the cap bounds what one entry can cost, so `maxEntries` bounds memory, whatever another
 * issuer puts in its tokens.
 */
export const MAX_REVOCATION_ID_LENGTH = 256;

/** Throws `invalid_argument` unless `target` is a revocation a store can keep. */
export function checkRevocationTarget(target: RevocationTarget): void {
  if (target === null || typeof target !== 'object') {
    throw new BulwarkError('invalid_argument', 'a revocation target is { kind, id, until }');
  }
  if (target.kind !== 'jti' && target.kind !== 'sid') {
    throw new BulwarkError('invalid_argument', 'a revocation target kind is "jti" or "sid"');
  }
  if (typeof target.id !== 'string' || target.id.length === 0 || target.id.length > MAX_REVOCATION_ID_LENGTH) {
    throw new BulwarkError('invalid_argument', `a revocation target id is 1 to ${MAX_REVOCATION_ID_LENGTH} characters`);
  }
  if (!Number.isSafeInteger(target.until)) {
    throw new BulwarkError('invalid_argument', 'a revocation target until is an integer epoch-ms time');
  }
}
