import { ConfigError } from '@bulwark/core';
import { ALGORITHM_SPECS } from '../keyring/algorithms.js';
import type { SigningAlgorithm } from '../keys.js';

/** The WebCrypto algorithm name (and curve) an asymmetric JWS algorithm's key must have. */
const ASYMMETRIC: Readonly<Partial<Record<SigningAlgorithm, { name: string; namedCurve?: string }>>> = {
  ES256: { name: 'ECDSA', namedCurve: 'P-256' },
  ES384: { name: 'ECDSA', namedCurve: 'P-384' },
  EdDSA: { name: 'Ed25519' },
  RS256: { name: 'RSASSA-PKCS1-v1_5' },
  PS256: { name: 'RSA-PSS' },
};

/** A key bound to one algorithm, as the ports in keys.ts carry them. */
interface BoundKey {
  readonly kid: string;
  readonly alg: SigningAlgorithm;
  readonly key: CryptoKey | Uint8Array;
}

/** Keys already found to fit their alg: each key object is looked at once, not per token. */
const fitting = new WeakSet<object>();

/**
 * Whether a key's material fits the algorithm it is bound to: `undefined` when it does,
 * `'algorithm'` when it is another kind of key (raw bytes or a public key for an HMAC alg,
 * raw bytes for an asymmetric alg: the RS256 -> HS256 confusion needs exactly such a key).
 * An HMAC secret shorter than its hash output (32 bytes for HS256, RFC 7518 section 3.2)
 * throws a {@link ConfigError} naming `option`: it is the operator's key, not the token,
 * that is wrong. `use` is `verify` or `sign` (a verification key is public, a signing key
 * private, for asymmetric algorithms).
 */
export function keyMisfit(bound: BoundKey, option: string, use: 'verify' | 'sign'): 'algorithm' | undefined {
  if (fitting.has(bound)) return undefined;
  const { alg, key } = bound;
  const spec = ALGORITHM_SPECS[alg];
  if (spec === undefined) return 'algorithm';
  if (spec.kty === 'oct') {
    const minBytes = spec.hmacBytes as number;
    let bytes: number;
    if (key instanceof Uint8Array) {
      bytes = key.length;
    } else {
      const algorithm = key.algorithm as HmacKeyAlgorithm;
      if (key.type !== 'secret' || algorithm.name !== 'HMAC' || algorithm.hash?.name !== spec.hash) return 'algorithm';
      bytes = algorithm.length / 8;
    }
    if (bytes < minBytes) {
      throw new ConfigError(
        option,
        `the ${alg} secret of kid "${bound.kid.slice(0, 128)}" has ${bytes} bytes; at least ${minBytes} (the hash output) are required`,
      );
    }
  } else {
    const wanted = ASYMMETRIC[alg];
    if (key instanceof Uint8Array || wanted === undefined) return 'algorithm';
    const algorithm = key.algorithm as EcKeyAlgorithm;
    if (key.type !== (use === 'verify' ? 'public' : 'private') || algorithm.name !== wanted.name) return 'algorithm';
    if (wanted.namedCurve !== undefined && algorithm.namedCurve !== wanted.namedCurve) return 'algorithm';
  }
  // Only a frozen key object cannot be given other material later.
  if (Object.isFrozen(bound)) fitting.add(bound);
  return undefined;
}
