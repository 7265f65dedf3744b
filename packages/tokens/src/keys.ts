/**
 * The contract between the verifier, the keyring and remote JWK Sets: keys are looked up
 * in memory by `kid` only (never a file, URL or query), and each key is bound to exactly one
 * algorithm, so the token's `alg` header can only be checked against it, never chosen by it.
 */

/** The JWS algorithms Bulwark signs and verifies with (no `none`, ever). */
export type SigningAlgorithm = 'ES256' | 'ES384' | 'EdDSA' | 'RS256' | 'PS256' | 'HS256' | 'HS384' | 'HS512';

/** One verification key: imported once, bound to one algorithm. */
export interface VerificationKey {
  readonly kid: string;
  readonly alg: SigningAlgorithm;
  /** A WebCrypto key (asymmetric or HMAC) or raw HMAC secret bytes, as jose takes them. */
  readonly key: CryptoKey | Uint8Array;
}

/** Where a verifier finds its keys. */
export interface VerificationKeySource {
  /**
   * The key for a token's `kid` (already checked: at most 128 characters of
   * `[A-Za-z0-9._-]`), or `undefined`. Synchronous when the key is known; a remote JWK Set
   * may answer with a Promise when it refetches for an unknown `kid` (gated by a cooldown).
   */
  key(kid: string): VerificationKey | undefined | Promise<VerificationKey | undefined>;
}

/** The key a token is signed with now. */
export interface SigningKey {
  readonly kid: string;
  readonly alg: SigningAlgorithm;
  readonly key: CryptoKey | Uint8Array;
}

/** Where an issuer finds its signing key (the keyring's active key). */
export interface SigningKeySource {
  signingKey(): SigningKey | Promise<SigningKey>;
}
