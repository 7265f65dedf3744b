import type { AuthFailureReason } from '@bulwark/core';
import { KID_PATTERN } from '../keyring/algorithms.js';
import type { SigningAlgorithm } from '../keys.js';

/** What the verifier takes from a JOSE header: the algorithm to check against the key, and the key's id. */
export interface CheckedHeader {
  readonly alg: SigningAlgorithm;
  readonly kid: string;
}

/** RFC 9068 section 4: `at+jwt`, with or without the `application/` prefix (media types compare case-insensitively). */
export function isAccessTokenType(typ: unknown): boolean {
  if (typeof typ !== 'string') return false;
  const lower = typ.toLowerCase();
  return lower === 'at+jwt' || lower === 'application/at+jwt';
}

/**
 * Checks a parsed JOSE header. Only `alg`, `typ`, `kid`, `crit` and `b64` are read:
 * `jku`, `x5u`, `jwk` and `x5c` (keys or key locations chosen by the token) are never
 * looked at, so a token cannot bring its own key. Refused:
 * - `alg` missing, `none` (in any case), or outside the allowlist: `algorithm` (that it is
 *   the alg of the token's key is checked once the key is found);
 * - any `crit`: we implement no JWS extension, and RFC 7515 section 4.1.11 says a token
 *   naming one we do not understand is invalid: `header`;
 * - any `b64` (RFC 7797 unencoded payloads: an access token never has one): `header`;
 * - `typ` other than `at+jwt` (an ID token, a refresh token, a plain JWT): `type`;
 * - `kid` missing or outside 1 to 128 characters of `[A-Za-z0-9._-]` (it is then only
 *   ever a key into an in-memory map): `header`.
 *
 * @example
 * ```ts
 * checkHeader({ alg: 'ES256', typ: 'at+jwt', kid: 'k1' }, new Set(['ES256'])); // { alg: 'ES256', kid: 'k1' }
 * checkHeader({ alg: 'none', typ: 'at+jwt', kid: 'k1' }, new Set(['ES256']));  // 'algorithm'
 * ```
 */
export function checkHeader(
  header: Readonly<Record<string, unknown>>,
  allowed: ReadonlySet<string>,
): CheckedHeader | AuthFailureReason {
  const { alg, typ, kid } = header;
  if (typeof alg !== 'string' || !allowed.has(alg)) return 'algorithm';
  if (Object.hasOwn(header, 'crit') || Object.hasOwn(header, 'b64')) return 'header';
  if (!isAccessTokenType(typ)) return 'type';
  if (typeof kid !== 'string' || !KID_PATTERN.test(kid)) return 'header';
  return { alg: alg as SigningAlgorithm, kid };
}
