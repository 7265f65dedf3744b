import {
  base64url,
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  generateSecret,
  importJWK,
  type JWK,
} from 'jose';
import type { SigningAlgorithm, SigningKey, VerificationKey } from '../keys.js';
import { ALGORITHM_SPECS, isSymmetric } from './algorithms.js';
import { publicJwk } from './jwk.js';

/** A key ready for use: imported once, bound to its alg. */
export interface KeyMaterial {
  readonly signing: SigningKey;
  readonly verification: VerificationKey;
  /** The published form; undefined for HMAC keys, which are never published. */
  readonly jwk: JWK | undefined;
}

/**
 * A new key and its kid: the RFC 7638 thumbprint of the public key for asymmetric
 * algorithms (so the kid names the key itself), 128 random bits for an HMAC secret (a
 * thumbprint of a secret would be a hash of it, published in every token header).
 * Generated through jose, extractable because it must be stored (sealed).
 */
export async function generateKey(alg: SigningAlgorithm): Promise<{ kid: string; privateJwk: JWK }> {
  if (isSymmetric(alg)) {
    const secret = await generateSecret(alg, { extractable: true });
    const privateJwk = await exportJWK(secret);
    const kid = base64url.encode(globalThis.crypto.getRandomValues(new Uint8Array(16)));
    return { kid, privateJwk };
  }
  const options =
    alg === 'RS256' || alg === 'PS256' ? { extractable: true, modulusLength: 2048 } : { extractable: true };
  const { privateKey } = await generateKeyPair(alg, options);
  const privateJwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(publicJwk(privateJwk, '', alg));
  return { kid, privateJwk };
}

/**
 * Imports a private JWK (checked by jwkProblem) once: the signing key non-extractable, the
 * verification key from the public members. An HMAC secret becomes one non-extractable
 * WebCrypto HMAC key for both: jose's `importJWK` answers raw bytes for `oct`, which jose
 * would import again on every verification.
 */
export async function importKey(kid: string, alg: SigningAlgorithm, privateJwk: JWK): Promise<KeyMaterial> {
  if (isSymmetric(alg)) {
    const bytes = (await importJWK({ kty: 'oct', k: privateJwk.k as string }, alg)) as Uint8Array;
    const key = await globalThis.crypto.subtle.importKey(
      'raw',
      bytes.slice(),
      { name: 'HMAC', hash: ALGORITHM_SPECS[alg].hash as string },
      false,
      ['sign', 'verify'],
    );
    return { signing: { kid, alg, key }, verification: { kid, alg, key }, jwk: undefined };
  }
  const signingJwk: JWK = { ...privateJwk };
  for (const member of ['kid', 'alg', 'use', 'key_ops', 'ext']) delete (signingJwk as Record<string, unknown>)[member];
  const signingKey = (await importJWK(signingJwk, alg, { extractable: false })) as CryptoKey;
  const jwk = publicJwk(privateJwk, kid, alg);
  const { kid: _kid, use: _use, alg: _alg, ...bare } = jwk;
  const verificationKey = (await importJWK(bare, alg)) as CryptoKey;
  return {
    signing: Object.freeze({ kid, alg, key: signingKey }),
    verification: Object.freeze({ kid, alg, key: verificationKey }),
    jwk,
  };
}
