import { type Authenticator, type AuthOutcome, ConfigError } from '@bulwark/core';
import type { VerifyOutcome } from './outcome.js';
import type { AccessTokenVerifier } from './verifier.js';

/** A JWS compact serialisation's shape: exactly two dots, with a header and a payload before them. */
export function looksLikeJws(credential: string): boolean {
  const first = credential.indexOf('.');
  if (first <= 0) return false;
  const second = credential.indexOf('.', first + 1);
  return second > first + 1 && credential.indexOf('.', second + 1) < 0;
}

function answer(outcome: VerifyOutcome): AuthOutcome {
  return outcome.ok
    ? { ok: true, principal: outcome.principal }
    : { ok: false, code: 'invalid_token', reason: outcome.reason };
}

/**
 * The core `Authenticator` for access tokens (`name: 'jwt'`). It claims the bearer
 * credential when it has the shape of a JWS compact serialisation (three dot-separated
 * parts), so an API-key authenticator can claim the other bearer forms; a claimed token that
 * fails is `invalid_token` with the verifier's reason (it never falls through). Synchronous
 * when the verifier is (a cache hit).
 *
 * @example
 * ```ts
 * import { authenticationPolicy } from '@bulwark/core';
 * import { accessTokenVerifier, jwtAuthenticator, keyring } from '@bulwark/tokens';
 *
 * const keys = keyring();
 * const verifier = accessTokenVerifier({ keys, issuer: 'https://auth.example.com', audience: 'notes-api', algorithms: ['ES256'] });
 * const authn = authenticationPolicy([jwtAuthenticator(verifier)], { realm: 'notes-api' });
 * ```
 */
export function jwtAuthenticator(verifier: AccessTokenVerifier): Authenticator {
  if (typeof verifier !== 'object' || verifier === null || typeof verifier.verify !== 'function') {
    throw new ConfigError('verifier', 'expected an AccessTokenVerifier (accessTokenVerifier(...))');
  }
  // Optional on a hand-made verifier; `accessTokenVerifier`'s answers from its cache, so a
  // cache hit skips the policy's grammar scan of the `Authorization` field.
  const verifiedBefore =
    typeof verifier.verifiedBefore === 'function' ? verifier.verifiedBefore.bind(verifier) : undefined;
  return Object.freeze({
    name: 'jwt',
    ...(verifiedBefore === undefined ? {} : { verifiedBefore }),
    claim: ({ bearer }) => (bearer !== undefined && looksLikeJws(bearer) ? bearer : undefined),
    verify(token: string) {
      const outcome = verifier.verify(token);
      return typeof (outcome as { then?: unknown }).then === 'function'
        ? (outcome as Promise<VerifyOutcome>).then(answer)
        : answer(outcome as VerifyOutcome);
    },
  } satisfies Authenticator);
}
