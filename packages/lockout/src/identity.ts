import { BulwarkError, ConfigError, ipKey } from '@bulwark/core';
import { hmacSha256, sha256 } from './sha256.js';

/**
 * The form an account identifier is counted under: NFKC, trimmed, case-folded (upper then
 * lower case, so `ß` and `SS`, `K` and the Kelvin sign, meet). Every spelling a
 * case-insensitive sign-in would accept shares one counter; where the application keeps
 * two accounts apart that this merges, they share a counter, which only errs toward
 * locking.
 *
 * @example
 * ```ts
 * normalizeAccount('  Alice@Example.COM ') // 'alice@example.com'
 * ```
 */
export function normalizeAccount(account: string): string {
  return account.normalize('NFKC').trim().toUpperCase().toLowerCase();
}

const encoder = new TextEncoder();
/** 128 bits of the digest: collision-free for any realistic number of accounts, short in keys and logs. */
const TAG_BYTES = 16;

function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Turns account identifiers into tags: HMAC-SHA-256 under `key` when given, else SHA-256. */
export function accountTagger(key: string | Uint8Array | undefined): (account: string) => Promise<string> {
  const tagSync = accountTaggerSync(key);
  return async (account) => tagSync(account);
}

/** The synchronous form of {@link accountTagger}. */
export function accountTaggerSync(key: string | Uint8Array | undefined): (account: string) => string {
  if (key === undefined) {
    return (account) => base64url(sha256(encoder.encode(normalizeAccount(account))).subarray(0, TAG_BYTES));
  }
  const raw = typeof key === 'string' ? encoder.encode(key) : key;
  if (!(raw instanceof Uint8Array) || raw.byteLength < 32) {
    throw new ConfigError('accountKey', 'expected a secret of at least 32 bytes (a string or a Uint8Array)');
  }
  const secret = raw.slice();
  return (account) => base64url(hmacSha256(secret, encoder.encode(normalizeAccount(account))).subarray(0, TAG_BYTES));
}

/** The key an attempt's client IP is counted under (IPv6 by prefix); `-` when it is not an address. */
export function clientIpKeyer(ipv6Prefix: number | undefined): (ip: string) => string {
  const keyOf = ipKey({ ipv6Prefix });
  return (ip) => {
    if (typeof ip !== 'string') throw new BulwarkError('invalid_argument', 'lockout: ip must be a string');
    // No address (a Unix socket, a test harness): every such caller is one client.
    return keyOf(ip) ?? '-';
  };
}
