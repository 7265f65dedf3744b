import type { AuthFailureReason, Principal } from '@bulwark/core';
import type { AccessTokenClaims } from './claims.js';

/** A verified token's answer; frozen, and shared by every cache hit of the token. */
export interface VerifiedOutcome {
  readonly ok: true;
  readonly claims: AccessTokenClaims;
  readonly principal: Principal;
}

/** What `verify` answers: the claims and principal, or why the token is refused. */
export type VerifyOutcome = VerifiedOutcome | { readonly ok: false; readonly reason: AuthFailureReason };

const FAILURES = new Map<AuthFailureReason, VerifyOutcome>();

/** The one frozen failure answer per reason (a refusal allocates nothing). */
export function failure(reason: AuthFailureReason): VerifyOutcome {
  let outcome = FAILURES.get(reason);
  if (outcome === undefined) {
    outcome = Object.freeze({ ok: false, reason });
    FAILURES.set(reason, outcome);
  }
  return outcome;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const member of Object.values(value)) deepFreeze(member);
  }
  return value;
}

/**
 * The answer for a verified payload. Claims are frozen at every depth: one answer is handed
 * to every request presenting the token (cache hits), so no handler can change another's
 * claims. The principal: `subject` = `sub`, kind `service` when `sub` is the `client_id`
 * (a client credentials token, RFC 9068 section 2.2), `user` otherwise.
 */
export function verifiedOutcome(payload: Record<string, unknown>, scopes: readonly string[]): VerifiedOutcome {
  const claims = deepFreeze(payload) as unknown as AccessTokenClaims;
  const principal: Principal = Object.freeze({
    subject: claims.sub,
    kind: claims.client_id !== undefined && claims.client_id === claims.sub ? 'service' : 'user',
    scopes: Object.freeze(scopes),
    source: Object.freeze({ kind: 'jwt', issuer: claims.iss, tokenId: claims.jti }),
    claims,
  });
  return Object.freeze({ ok: true, claims, principal });
}
