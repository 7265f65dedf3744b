import type { SigningAlgorithm } from '../keys.js';

/**
 * What each algorithm needs of a JWK: its key type, curve, and for HMAC the hash output in
 * bytes (the minimum secret length, RFC 7518 section 3.2). Checked before jose sees a key,
 * so a wrong key is refused with a reason rather than a WebCrypto message.
 */
export interface AlgorithmSpec {
  readonly kty: 'EC' | 'OKP' | 'RSA' | 'oct';
  readonly crv?: string;
  readonly hmacBytes?: number;
  readonly hash?: 'SHA-256' | 'SHA-384' | 'SHA-512';
}

export const ALGORITHM_SPECS: Readonly<Record<SigningAlgorithm, AlgorithmSpec>> = Object.freeze({
  ES256: { kty: 'EC', crv: 'P-256' },
  ES384: { kty: 'EC', crv: 'P-384' },
  EdDSA: { kty: 'OKP', crv: 'Ed25519' },
  RS256: { kty: 'RSA' },
  PS256: { kty: 'RSA' },
  HS256: { kty: 'oct', hmacBytes: 32, hash: 'SHA-256' },
  HS384: { kty: 'oct', hmacBytes: 48, hash: 'SHA-384' },
  HS512: { kty: 'oct', hmacBytes: 64, hash: 'SHA-512' },
});

export const SIGNING_ALGORITHMS = Object.keys(ALGORITHM_SPECS) as readonly SigningAlgorithm[];

export const MIN_RSA_BITS = 2048;

export function isSigningAlgorithm(value: unknown): value is SigningAlgorithm {
  return typeof value === 'string' && Object.hasOwn(ALGORITHM_SPECS, value);
}

export function isSymmetric(alg: SigningAlgorithm): boolean {
  return ALGORITHM_SPECS[alg].kty === 'oct';
}

/** The `kid` grammar the verifier enforces: at most 128 characters of `[A-Za-z0-9._-]`. */
export const KID_PATTERN = /^[A-Za-z0-9._-]{1,128}$/;
