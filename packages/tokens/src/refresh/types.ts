import type { Clock, EventSink } from '@bulwark/core';
import type { RevocationStore } from '../revocation.js';
import type { RefreshFamilyInfo, RefreshTokenStore } from './port.js';

/**
 * Options of `refreshTokens(...)` (issue #16). Validated once, at the factory; a bad value
 * is a `ConfigError` naming the option.
 */
export interface RefreshTokensOptions {
  /** Where families live; default a bounded `memoryRefreshTokenStore()`. */
  readonly store?: RefreshTokenStore | undefined;
  /** The token prefix that makes a leaked refresh token recognisable; default `bwrt_`. `[a-z0-9]{2,16}_`. */
  readonly prefix?: string | undefined;
  /** HMAC-SHA-256 pepper (>= 32 bytes) for the stored hashes; without one, SHA-256. */
  readonly pepper?: Uint8Array | undefined;
  /** The window in which the immediately previous token may be retried (ms or a duration string); default 0 = off. At most 60 s. */
  readonly grace?: number | string | undefined;
  /** Default 30 days. */
  readonly absoluteLifetime?: number | string | undefined;
  /** Default 7 days (or the absolute lifetime when shorter); at most the absolute lifetime. */
  readonly idleLifetime?: number | string | undefined;
  /** Live families per user; the oldest is revoked past it. Default 10. */
  readonly maxFamiliesPerUser?: number | undefined;
  /**
   * The access tokens of a revoked family are revoked too, by session (`sid` = family id),
   * through this revocation store, for `accessTokenTtl` (+ clock tolerance) from the
   * revocation: the longest an access token of the session can still be alive. Both are
   * required together: a revocation that forgets live access tokens early is refused.
   */
  readonly revocations?:
    | {
        readonly store: RevocationStore;
        readonly accessTokenTtl: number | string;
        /** Default 5 s (the verifier's default); at most 60 s. */
        readonly clockTolerance?: number | string | undefined;
      }
    | undefined;
  readonly onEvent?: EventSink | undefined;
  /**
   * The application's clock: the `until` of the access-token revocations (the access
   * tokens' `exp` come from it). Every decision on a refresh token (grace window, expiry)
   * is the store's clock. Default the system clock.
   */
  readonly clock?: Clock | undefined;
}

/** A freshly issued refresh token. The plaintext exists here only; the store has its hash. */
export interface IssuedRefreshToken {
  readonly token: string;
  /** The session id: put it in the access token as `sid`. */
  readonly familyId: string;
  readonly generation: number;
  readonly absoluteExpiresAt: number;
  readonly idleExpiresAt: number;
}

export type RefreshOutcome =
  | {
      readonly ok: true;
      /** `rotated`: a new child; `grace`: the same child as the first answer (a retry). */
      readonly kind: 'rotated' | 'grace';
      readonly refreshToken: IssuedRefreshToken;
      readonly family: RefreshFamilyInfo;
    }
  | {
      readonly ok: false;
      /**
       * `malformed`: not one of our tokens (checked offline, no store call). `reused`: the
       * family is now revoked. `unknown` also covers a grace answer whose sealed child does
       * not open with the presented token.
       */
      readonly reason: 'malformed' | 'unknown' | 'revoked' | 'expired' | 'reused';
    };

/** What `refreshTokens(...)` returns. */
export interface RefreshTokens {
  /** Starts a session: a new family (or `familyId`, pre-allocated with {@link newFamilyId}, e.g. at an authorization code). */
  issue(input: {
    readonly subject: string;
    readonly clientId: string;
    readonly scopes: readonly string[];
    readonly familyId?: string;
  }): Promise<IssuedRefreshToken>;
  /** Exactly one store round trip (plus the revocation store on reuse). */
  rotate(token: string): Promise<RefreshOutcome>;
  /** Logout: revokes the family and its access tokens. */
  revokeFamily(familyId: string): Promise<void>;
  /** Revoke-all for a user (a password change). */
  revokeSubject(subject: string): Promise<readonly string[]>;
  /** A family id for `subject` (its subject tag, then 128 random bits), for a session created later. */
  newFamilyId(subject: string): string;
}
