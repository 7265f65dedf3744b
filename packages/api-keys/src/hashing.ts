import { ConfigError } from '@bulwark/core';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';

/**
 * How a key is kept at rest: only its digest, never the key. A key carries 256 random
 * bits, so one SHA-256 is as strong as any slow hash (nothing to guess); with a pepper
 * (a server secret of at least 32 bytes, kept out of the store), HMAC-SHA-256, so a stolen
 * database alone cannot even confirm a key. The stored form names its algorithm:
 * `sha256:<hex>` or `hmac-sha256:<hex>`.
 */
export interface KeyHasher {
  readonly algorithm: 'sha256' | 'hmac-sha256';
  /** The digest of a key's text. */
  digest(key: string): Uint8Array;
}

export const MIN_PEPPER_BYTES = 32;

/** The bytes of an ASCII string (a parsed key is ASCII: no TextEncoder call per verify). */
function ascii(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/** SHA-256, or HMAC-SHA-256 keyed with `pepper` (refused under 32 bytes). */
export function keyHasher(pepper: Uint8Array | undefined): KeyHasher {
  if (pepper === undefined) {
    return Object.freeze({ algorithm: 'sha256', digest: (key: string) => sha256(ascii(key)) });
  }
  if (!(pepper instanceof Uint8Array) || pepper.length < MIN_PEPPER_BYTES) {
    throw new ConfigError('pepper', `expected a Uint8Array of at least ${MIN_PEPPER_BYTES} random bytes`);
  }
  // The keyed state is computed once; each digest clones it (two compressions, not four).
  const keyed = hmac.create(sha256, Uint8Array.from(pepper));
  return Object.freeze({
    algorithm: 'hmac-sha256',
    digest: (key: string) => keyed.clone().update(ascii(key)).digest(),
  });
}

/** The stored form of a digest. */
export function encodeDigest(algorithm: KeyHasher['algorithm'], digest: Uint8Array): string {
  return `${algorithm}:${bytesToHex(digest)}`;
}

/** The digest a stored hash holds, when it is of `algorithm` and well formed; else undefined. */
export function decodeDigest(algorithm: KeyHasher['algorithm'], stored: string): Uint8Array | undefined {
  const head = `${algorithm}:`;
  if (typeof stored !== 'string' || !stored.startsWith(head) || stored.length !== head.length + 64) return undefined;
  try {
    return hexToBytes(stored.slice(head.length));
  } catch {
    return undefined;
  }
}

/** Equal in time that depends only on the length (a digest's, fixed), never on where they differ. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}
