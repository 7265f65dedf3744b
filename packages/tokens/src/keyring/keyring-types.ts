import type { JWK } from 'jose';
import type { SigningAlgorithm, SigningKeySource, VerificationKeySource } from '../keys.js';
import type { KeyState } from './schedule.js';

/** One key of a keyring, for operators (`status()`). */
export interface KeyStatus {
  readonly kid: string;
  readonly alg: SigningAlgorithm;
  readonly generation: number;
  readonly state: KeyState;
  /** When it signs from (store ms). */
  readonly activatesAt: number;
  /** Until when its tokens verify (store ms); Infinity while no successor is active. */
  readonly verifyUntil: number;
}

/** A keyring: the signing key of an issuer, its verification keys and its public JWK Set. */
export interface Keyring extends SigningKeySource, VerificationKeySource {
  /** The public JWK Set to serve at `/.well-known/jwks.json`: kid, alg and `use: "sig"` on each key, never a private member, never an HMAC key. */
  jwks(): Promise<{ keys: JWK[] }>;
  /**
   * Creates the successor of the newest key now (unless one is already waiting): it is
   * published at once and signs after `publishAhead`. Answers the waiting key.
   */
  rotate(): Promise<{ readonly kid: string; readonly activatesAt: number }>;
  /** Every key not yet retired, oldest first. */
  status(): Promise<readonly KeyStatus[]>;
}
