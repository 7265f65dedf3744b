/**
 * The authorization-code storage port (issue #16). Codes are stored by hash only (base64url
 * SHA-256 of the code string); every operation is atomic and timed by the store's clock.
 */
export interface AuthorizationCodeStore {
  /**
   * Saves a new code for `ttlMs` (1 ms to 10 minutes). An existing hash is
   * `BulwarkError('store_conflict')`, never an overwrite. A record that
   * `checkAuthorizationCode` refuses (no S256 challenge, say) is `BulwarkError('invalid_argument')`
   * and nothing is stored: a code can never exist without its challenge.
   */
  save(hash: string, record: AuthorizationCodeRecord, ttlMs: number): Promise<void>;
  /**
   * Redeems a code, atomically: the first call for a live code answers `redeemed` and
   * marks it used; the record is kept until its expiry so that any later call answers
   * `reused` (RFC 6749 §4.1.2: the tokens issued from it are then revoked). An unknown or
   * expired code answers `unknown`. Of N concurrent calls exactly one is `redeemed`.
   */
  redeem(hash: string): Promise<RedeemResult>;
  /**
   * True when a `redeem` of this code answered `reused` (it was presented again after it
   * was redeemed). The server asks once it has issued the tokens of a redeemed code: a
   * second use that raced the issuance revoked a session that did not exist yet, so the
   * first redemption revokes it itself and hands nothing out. `false` for an unknown or
   * expired code.
   */
  wasReused(hash: string): Promise<boolean>;
}

/** Everything a code is bound to (RFC 6749 §4.1.3, RFC 7636 §4.6). */
export interface AuthorizationCodeRecord {
  readonly clientId: string;
  /** Exactly as sent in the authorization request; the token request must repeat it. */
  readonly redirectUri: string;
  /** The S256 `code_challenge` (the only method accepted). */
  readonly codeChallenge: string;
  readonly scopes: readonly string[];
  readonly subject: string;
  /** The session the code's tokens will belong to: revoked if the code is used twice. */
  readonly familyId: string;
}

export type RedeemResult =
  | { readonly outcome: 'redeemed'; readonly record: AuthorizationCodeRecord }
  | { readonly outcome: 'reused'; readonly record: AuthorizationCodeRecord }
  | { readonly outcome: 'unknown' };
