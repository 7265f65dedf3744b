import type { SigningAlgorithm } from '../keys.js';
import { decodeCanonical } from './base64url.js';

/** The length of each of r and s in a JWS ECDSA signature (RFC 7518 section 3.4: fixed-size big-endian). */
const HALF: Readonly<Partial<Record<SigningAlgorithm, number>>> = { ES256: 32, ES384: 48 };

function allZero(bytes: Uint8Array, start: number, end: number): boolean {
  let any = 0;
  for (let i = start; i < end; i++) any |= bytes[i] as number;
  return any === 0;
}

/**
 * True when an ECDSA signature cannot be valid on its face: not `r || s` of the curve's
 * size, or r = 0 or s = 0 (CVE-2022-21449, "psychic signatures": a verifier that did not
 * refuse them accepted `r = s = 0` for any message). WebCrypto implementations refuse them
 * today; this keeps that true whatever runtime the verifier runs on. The signature is still
 * verified by jose; this only refuses earlier. Always false for other algorithms.
 *
 * @example
 * ```ts
 * impossibleEcdsaSignature('ES256', 'A'.repeat(86)); // true: r and s are all zero bits
 * ```
 */
export function impossibleEcdsaSignature(alg: SigningAlgorithm, encodedSignature: string): boolean {
  const half = HALF[alg];
  if (half === undefined) return false;
  const bytes = decodeCanonical(encodedSignature, 0, encodedSignature.length);
  if (bytes === undefined || bytes.length !== 2 * half) return true;
  return allZero(bytes, 0, half) || allZero(bytes, half, 2 * half);
}
