import { ConfigError } from '@bulwark/core';
import CRC32 from 'crc-32';
import { decodeFixed, encodeFixed, isBase62, randomBase62 } from './base62.js';

/**
 * The key format, modelled on GitHub's tokens:
 *
 * ```
 * <prefix>_<environment>_<id>_<secret><checksum>
 * bwk_live_3xAmPq9ZtR2cLw7V_k2F9...(43 secret chars)...Hq0aB1
 * ```
 *
 * - `prefix`: 2 to 10 of `[a-z0-9]`, starting with a letter (configurable, default `bwk`);
 *   it tells a key from a JWT and lets secret scanners find leaked keys.
 * - `environment`: `live` or `test`.
 * - `id`: 16 random base62 characters (95 bits), the public key id: the store's lookup key
 *   (one read, never a scan), shown in listings and logs.
 * - `secret`: 43 random base62 characters, 256.03 bits (62^43 > 2^256).
 * - `checksum`: the CRC32 of everything before it (`prefix_environment_id_secret`), as 6
 *   base62 digits. A typo or a made-up key fails it offline, with no store call, and a
 *   scanner can tell a real key from a look-alike without asking anyone.
 *
 * Every key of one prefix has one length; the whole key is `[A-Za-z0-9_]`, so it survives
 * a double click, a URL and a shell unquoted.
 */
export type ApiKeyEnvironment = 'live' | 'test';

export const KEY_ID_LENGTH = 16;
export const SECRET_LENGTH = 43;
export const CHECKSUM_LENGTH = 6;
export const DEFAULT_PREFIX = 'bwk';
const PREFIX = /^[a-z][a-z0-9]{1,9}$/;

/** The parts of a key; `formatApiKey` adds the checksum. */
export interface ApiKeyParts {
  readonly prefix: string;
  readonly environment: ApiKeyEnvironment;
  readonly id: string;
  readonly secret: string;
}

/** What `parseApiKey` answers: the parts, or why the text is no key (no store was asked). */
export type ParsedApiKey =
  | { readonly ok: true; readonly parts: ApiKeyParts }
  | { readonly ok: false; readonly reason: 'malformed' | 'checksum' };

/** Refuses a prefix outside the format (a `ConfigError` naming `option`). */
export function checkPrefix(prefix: unknown, option = 'prefix'): string {
  if (typeof prefix !== 'string' || !PREFIX.test(prefix)) {
    throw new ConfigError(
      option,
      'expected 2 to 10 of [a-z0-9], starting with a letter (no underscore: it separates the parts)',
    );
  }
  return prefix;
}

/** The length of every key of `prefix`. */
export function apiKeyLength(prefix: string): number {
  return prefix.length + 1 + 4 + 1 + KEY_ID_LENGTH + 1 + SECRET_LENGTH + CHECKSUM_LENGTH;
}

function checksumOf(body: string): string {
  return encodeFixed(CRC32.str(body) >>> 0, CHECKSUM_LENGTH);
}

/**
 * The key text of `parts`, its checksum computed. Throws a `ConfigError` for parts outside
 * the format (use {@link generateApiKeyParts} for new keys).
 *
 * @example
 * ```ts
 * const key = formatApiKey({ prefix: 'bwk', environment: 'live', id: '0123456789abcdef', secret: 'A'.repeat(43) });
 * parseApiKey(key, 'bwk'); // { ok: true, parts: { prefix: 'bwk', environment: 'live', ... } }
 * ```
 */
export function formatApiKey(parts: ApiKeyParts): string {
  checkPrefix(parts.prefix);
  if (parts.environment !== 'live' && parts.environment !== 'test') {
    throw new ConfigError('environment', 'expected "live" or "test"');
  }
  const { id, secret } = parts;
  if (typeof id !== 'string' || id.length !== KEY_ID_LENGTH || !isBase62(id, 0, id.length)) {
    throw new ConfigError('id', `expected ${KEY_ID_LENGTH} base62 characters`);
  }
  if (typeof secret !== 'string' || secret.length !== SECRET_LENGTH || !isBase62(secret, 0, secret.length)) {
    throw new ConfigError('secret', `expected ${SECRET_LENGTH} base62 characters`);
  }
  const body = `${parts.prefix}_${parts.environment}_${id}_${secret}`;
  return body + checksumOf(body);
}

/** Fresh random parts: a new id and a new 256-bit secret (Web Crypto's generator). */
export function generateApiKeyParts(prefix: string, environment: ApiKeyEnvironment): ApiKeyParts {
  return { prefix, environment, id: randomBase62(KEY_ID_LENGTH), secret: randomBase62(SECRET_LENGTH) };
}

const MALFORMED: ParsedApiKey = Object.freeze({ ok: false, reason: 'malformed' });
const BAD_CHECKSUM: ParsedApiKey = Object.freeze({ ok: false, reason: 'checksum' });

/**
 * Parses a presented key strictly: exactly the format above with this `prefix`, nothing
 * around it (no whitespace, no other case), and a checksum that matches. Never throws, for
 * any input (a number, `undefined`, a megabyte of text): the length is checked first, so a
 * huge input costs nothing.
 *
 * @example
 * ```ts
 * declare const presented: string; // the X-API-Key field
 * const parsed = parseApiKey(presented, 'bwk');
 * if (!parsed.ok) console.log(parsed.reason); // 'malformed' | 'checksum': no store was asked
 * ```
 */
export function parseApiKey(key: unknown, prefix: string = DEFAULT_PREFIX): ParsedApiKey {
  if (typeof key !== 'string' || typeof prefix !== 'string' || key.length !== apiKeyLength(prefix)) return MALFORMED;
  const p = prefix.length;
  if (!key.startsWith(prefix) || key.charCodeAt(p) !== 95 /* _ */) return MALFORMED;
  const env = key.slice(p + 1, p + 5);
  if (env !== 'live' && env !== 'test') return MALFORMED;
  const idStart = p + 6;
  const secretStart = idStart + KEY_ID_LENGTH + 1;
  if (key.charCodeAt(p + 5) !== 95 || key.charCodeAt(secretStart - 1) !== 95) return MALFORMED;
  if (!isBase62(key, idStart, secretStart - 1) || !isBase62(key, secretStart, key.length)) return MALFORMED;
  const checksumStart = key.length - CHECKSUM_LENGTH;
  // A checksum is below 2^32; six digits above it are no checksum of anything.
  const checksum = decodeFixed(key, checksumStart, CHECKSUM_LENGTH);
  if (checksum !== CRC32.str(key.slice(0, checksumStart)) >>> 0) return BAD_CHECKSUM;
  return {
    ok: true,
    parts: {
      prefix,
      environment: env,
      id: key.slice(idStart, secretStart - 1),
      secret: key.slice(secretStart, checksumStart),
    },
  };
}

/**
 * The regular expression a secret scanner uses to find keys of `prefix` in text (GitHub
 * secret scanning's custom patterns, gitleaks, trufflehog). A match whose checksum
 * `parseApiKey` accepts is a real key, not a look-alike.
 *
 * @example
 * ```ts
 * apiKeyPattern('bwk').source; // '\\bbwk_(?:live|test)_[0-9A-Za-z]{16}_[0-9A-Za-z]{49}\\b'
 * ```
 */
export function apiKeyPattern(prefix: string = DEFAULT_PREFIX, flags = 'g'): RegExp {
  checkPrefix(prefix);
  return new RegExp(
    `\\b${prefix}_(?:live|test)_[0-9A-Za-z]{${KEY_ID_LENGTH}}_[0-9A-Za-z]{${SECRET_LENGTH + CHECKSUM_LENGTH}}\\b`,
    flags,
  );
}
