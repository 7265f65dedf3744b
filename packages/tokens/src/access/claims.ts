import type { AuthFailureReason } from '@bulwark/core';
import { MAX_REVOCATION_ID_LENGTH } from '../revocation/target.js';

/** The claims of a verified RFC 9068 access token, as the verifier hands them out (frozen). */
export interface AccessTokenClaims {
  readonly iss: string;
  readonly sub: string;
  readonly aud: string | readonly string[];
  /** Seconds since the epoch (RFC 7519 NumericDate), as every time claim. */
  readonly exp: number;
  readonly iat: number;
  readonly jti: string;
  readonly nbf?: number;
  /** Space-separated scopes (RFC 8693 section 4.2). */
  readonly scope?: string;
  readonly client_id?: string;
  /** The session the token belongs to: revoking it revokes the token. */
  readonly sid?: string;
  readonly [claim: string]: unknown;
}

/** What claim checks need: the expected issuer and audience, and the clock tolerance in ms. */
export interface ClaimExpectations {
  readonly issuer: string;
  readonly audience: string;
  readonly toleranceMs: number;
}

const isText = (value: unknown): value is string => typeof value === 'string' && value.length > 0;
const isNumericDate = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/**
 * The time checks, shared by a full verification and a cache hit (so a hit refuses exactly
 * what a verification at that instant would): `exp` passed (`expired`), `nbf` not reached
 * (`not_yet_valid`), `iat` later than now (`issued_in_future`), each with the tolerance.
 * Times are compared in ms: a token is expired from `exp * 1000 - tolerance` on.
 */
export function timeProblem(
  expMs: number,
  iatMs: number,
  nbfMs: number | undefined,
  now: number,
  toleranceMs: number,
): AuthFailureReason | undefined {
  if (expMs <= now - toleranceMs) return 'expired';
  if (nbfMs !== undefined && nbfMs > now + toleranceMs) return 'not_yet_valid';
  if (iatMs > now + toleranceMs) return 'issued_in_future';
  return undefined;
}

/**
 * Checks a verified payload's claims. Every claim RFC 9068 section 2.2 needs for a
 * decision must be present with its JSON type, or the token is refused as `claims`, with no
 * coercion: `exp` as a string, an array `iss`, a numeric `sub`, a `scope` that is not a
 * string, an `aud` that is neither a string nor an array of strings; a `jti` or `sid` longer
 * than a revocation store keeps (256 characters: such a token could never be revoked).
 * Then `iss` must equal the issuer (`issuer`), `aud` be or contain the audience
 * (`audience`), and the times hold.
 *
 * @example
 * ```ts
 * declare const payload: Record<string, unknown>;
 * checkClaims(payload, { issuer: 'https://issuer.example', audience: 'notes-api', toleranceMs: 5000 }, Date.now());
 * // undefined when every check passes, else a reason such as 'expired'
 * ```
 */
export function checkClaims(
  payload: Readonly<Record<string, unknown>>,
  expected: ClaimExpectations,
  now: number,
): AuthFailureReason | undefined {
  const { iss, sub, aud, exp, iat, nbf, jti, scope, client_id: clientId, sid } = payload;
  if (!isText(iss) || !isText(sub) || !isText(jti) || !isNumericDate(exp) || !isNumericDate(iat)) return 'claims';
  if (nbf !== undefined && !isNumericDate(nbf)) return 'claims';
  if (scope !== undefined && typeof scope !== 'string') return 'claims';
  if (clientId !== undefined && !isText(clientId)) return 'claims';
  if (sid !== undefined && !isText(sid)) return 'claims';
  // A token that could not be revoked is not accepted: a revocation store keeps ids of at
  // most MAX_REVOCATION_ID_LENGTH characters, so a longer `jti` or `sid` (ours are 22 and
  // 30) could never be refused by a logout or a reuse detection.
  if (jti.length > MAX_REVOCATION_ID_LENGTH || (sid !== undefined && sid.length > MAX_REVOCATION_ID_LENGTH))
    return 'claims';
  let audienceMatches: boolean;
  if (typeof aud === 'string') {
    audienceMatches = aud === expected.audience;
  } else if (Array.isArray(aud) && aud.length > 0 && aud.every((a) => typeof a === 'string')) {
    audienceMatches = aud.includes(expected.audience);
  } else {
    return 'claims';
  }
  if (iss !== expected.issuer) return 'issuer';
  if (!audienceMatches) return 'audience';
  return timeProblem(
    exp * 1000,
    iat * 1000,
    nbf === undefined ? undefined : (nbf as number) * 1000,
    now,
    expected.toleranceMs,
  );
}

/** The scopes of a `scope` claim: space-separated, empty entries dropped. */
export function scopesOf(scope: string | undefined): readonly string[] {
  if (scope === undefined || scope === '') return [];
  return scope.split(' ').filter((s) => s !== '');
}
