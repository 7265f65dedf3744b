import { decodeB64, encodeB64 } from './base64.js';

/** Argon2id cost parameters, in the units of RFC 9106: memory in KiB. */
export interface Argon2Params {
  /** Memory in KiB (`m`). */
  readonly memory: number;
  /** Passes over memory (`t`). */
  readonly passes: number;
  /** Lanes (`p`). */
  readonly parallelism: number;
}

/** A parsed Argon2id PHC string. */
export interface Argon2idHash extends Argon2Params {
  readonly salt: Uint8Array;
  readonly hash: Uint8Array;
}

// What a PHC string may claim before it is refused as malformed. Loose enough for every
// hash a sane configuration produces (RFC 9106's 2 GiB option included), tight enough
// that a parser bug cannot be asked for absurd allocations; the hasher bounds it further.
export const PHC_LIMITS = Object.freeze({
  maxMemory: 4 * 1024 * 1024,
  maxPasses: 1024,
  maxParallelism: 255,
  minSalt: 8,
  maxSalt: 64,
  minHash: 16,
  maxHash: 64,
});

// Exactly the form every Argon2 implementation writes (the reference, libsodium,
// node-argon2, @node-rs/argon2, argon2-cffi): fixed order, decimal without leading
// zeros, no optional keyid/data parameters.
const PHC =
  /^\$argon2id\$v=19\$m=(0|[1-9][0-9]{0,9}),t=(0|[1-9][0-9]{0,9}),p=(0|[1-9][0-9]{0,9})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

/**
 * Parses an Argon2id (version 0x13) PHC string; answers `undefined` for anything else,
 * never throws: stored hashes are data, and bad data is a failed verification.
 */
export function parseArgon2idPhc(text: unknown): Argon2idHash | undefined {
  if (typeof text !== 'string' || text.length > 256) return undefined;
  const match = PHC.exec(text);
  if (match === null) return undefined;
  const memory = Number(match[1]);
  const passes = Number(match[2]);
  const parallelism = Number(match[3]);
  if (parallelism < 1 || parallelism > PHC_LIMITS.maxParallelism) return undefined;
  if (passes < 1 || passes > PHC_LIMITS.maxPasses) return undefined;
  // RFC 9106 §3.1: at least 8 KiB per lane.
  if (memory < 8 * parallelism || memory > PHC_LIMITS.maxMemory) return undefined;
  const salt = decodeB64(match[4] as string);
  const hash = decodeB64(match[5] as string);
  if (salt === undefined || salt.length < PHC_LIMITS.minSalt || salt.length > PHC_LIMITS.maxSalt) return undefined;
  if (hash === undefined || hash.length < PHC_LIMITS.minHash || hash.length > PHC_LIMITS.maxHash) return undefined;
  return { memory, passes, parallelism, salt, hash };
}

/** Formats an Argon2id PHC string: `$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`. */
export function formatArgon2idPhc(value: Argon2idHash): string {
  return `$argon2id$v=19$m=${value.memory},t=${value.passes},p=${value.parallelism}$${encodeB64(value.salt)}$${encodeB64(value.hash)}`;
}
