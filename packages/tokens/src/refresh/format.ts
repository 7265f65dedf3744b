import { ConfigError } from '@bulwark/core';
import { base64url } from 'jose';
import { isCanonical } from '../access/base64url.js';
import { SUBJECT_TAG_LENGTH } from './port.js';
import { sha256 } from './sha256.js';

/**
 * The refresh-token format: `<prefix><familyId>.<secret>`.
 *
 * - `prefix`: `[a-z0-9]{2,16}_`, default `bwrt_`, so a leaked token is recognisable (secret
 *   scanners, logs).
 * - `familyId` (30 characters): the subject tag (8 base64url characters: the first 6 bytes
 *   of SHA-256 of the subject) then 22 characters of 128 random bits. It is the session id
 *   (`sid` of the access tokens) and the store's key; the tag keeps one user's families in
 *   one Redis Cluster slot.
 * - `secret`: 43 base64url characters of 256 random bits.
 *
 * Every part is canonical base64url (no padding, no spare bits), so a token has exactly
 * one spelling: the parser refuses any other, offline, before the store is asked.
 */
export const DEFAULT_REFRESH_PREFIX = 'bwrt_';
const PREFIX = /^[a-z0-9]{2,16}_$/;
/** Characters of the random part of a family id (16 bytes). */
const FAMILY_RANDOM_LENGTH = 22;
/** Characters of a family id. */
export const FAMILY_ID_LENGTH = SUBJECT_TAG_LENGTH + FAMILY_RANDOM_LENGTH;
/** Characters of the secret (32 bytes). */
const SECRET_LENGTH = 43;
const encoder = new TextEncoder();

/** Checks a configured prefix (ConfigError `prefix`). */
export function checkPrefix(value: unknown): string {
  if (value === undefined) return DEFAULT_REFRESH_PREFIX;
  if (typeof value !== 'string' || !PREFIX.test(value)) {
    throw new ConfigError('prefix', 'expected 2 to 16 characters of a-z 0-9 followed by "_" (such as "bwrt_")');
  }
  return value;
}

/**
 * The tag of `subject` that starts each of its family ids: base64url of the first 6 bytes
 * of SHA-256 of its UTF-8 bytes (8 characters). Synchronous (a small SHA-256 of our own,
 * checked against Web Crypto) so that `newFamilyId` is.
 *
 * @example
 * ```ts
 * subjectTag('user-42'); // 8 characters, the same for every call
 * ```
 */
export function subjectTag(subject: string): string {
  return base64url.encode(sha256(encoder.encode(subject)).subarray(0, 6));
}

const random = (bytes: number) => base64url.encode(globalThis.crypto.getRandomValues(new Uint8Array(bytes)));

/** A new family id for `subject`: its tag, then 128 random bits. */
export function newRefreshFamilyId(subject: string): string {
  return subjectTag(subject) + random(16);
}

/** Whether `value` is a family id (exact length, canonical base64url parts). */
export function isFamilyId(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length === FAMILY_ID_LENGTH &&
    isCanonical(value, 0, SUBJECT_TAG_LENGTH) &&
    isCanonical(value, SUBJECT_TAG_LENGTH, FAMILY_ID_LENGTH)
  );
}

/** A new token of family `familyId`. */
export function newRefreshToken(prefix: string, familyId: string): string {
  return `${prefix}${familyId}.${random(32)}`;
}

/** What the parser reads from a token, offline. */
export interface ParsedRefreshToken {
  readonly familyId: string;
  readonly subjectTag: string;
}

/**
 * Reads a refresh token of `prefix`, or `undefined` for anything that is not one: exact
 * length, the prefix, a family id and a secret of canonical base64url, one `.` between
 * them. Never throws, whatever `token` is.
 *
 * @example
 * ```ts
 * parseRefreshToken('bwrt_' + 'A'.repeat(29) + 'w.' + 'A'.repeat(43), 'bwrt_'); // { familyId, subjectTag }
 * parseRefreshToken('bwrt_garbage', 'bwrt_'); // undefined
 * ```
 */
export function parseRefreshToken(token: unknown, prefix: string): ParsedRefreshToken | undefined {
  if (typeof token !== 'string') return undefined;
  const start = prefix.length;
  const dot = start + FAMILY_ID_LENGTH;
  if (token.length !== dot + 1 + SECRET_LENGTH || !token.startsWith(prefix) || token.charCodeAt(dot) !== 0x2e) {
    return undefined;
  }
  if (!isCanonical(token, start, start + SUBJECT_TAG_LENGTH)) return undefined;
  if (!isCanonical(token, start + SUBJECT_TAG_LENGTH, dot)) return undefined;
  if (!isCanonical(token, dot + 1, token.length)) return undefined;
  return { familyId: token.slice(start, dot), subjectTag: token.slice(start, start + SUBJECT_TAG_LENGTH) };
}

/**
 * A regular expression for secret scanners and log redaction matching the default-prefix
 * tokens (the last character of each random part is one with no spare bits).
 */
export const REFRESH_TOKEN_PATTERN = /bwrt_[A-Za-z0-9_-]{29}[AQgw]\.[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]/;
