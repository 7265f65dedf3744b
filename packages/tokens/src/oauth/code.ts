import { BulwarkError } from '@bulwark/core';
import { base64url } from 'jose';
import { parseCodeChallenge } from './pkce.js';
import type { AuthorizationCodeRecord } from './port.js';

/** The longest a code may live (RFC 6749 §4.1.2: "a maximum authorization code lifetime of 10 minutes is RECOMMENDED"). */
export const MAX_CODE_TTL_MS = 10 * 60_000;
/** 256 random bits in base64url: 43 characters. */
const CODE = /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/;
const HASH = CODE;

/** A new authorization code: 256 random bits (twice RFC 6749 §10.10's 128), base64url. */
export function newAuthorizationCode(): string {
  return base64url.encode(globalThis.crypto.getRandomValues(new Uint8Array(32)));
}

/** True when `value` has the form of one of our codes (so a malformed one never reaches the store). */
export function isAuthorizationCode(value: unknown): value is string {
  return typeof value === 'string' && CODE.test(value);
}

/** What the store keys a code by: base64url(SHA-256(code)). The code itself is never stored. */
export async function authorizationCodeHash(code: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(code));
  return base64url.encode(new Uint8Array(digest));
}

const invalid = (message: string) => new BulwarkError('invalid_argument', `authorization code store: ${message}`);
const text = (value: unknown, max: number) => typeof value === 'string' && value.length > 0 && value.length <= max;

/**
 * Checks what a store is asked to save, for every implementation of the port (memory,
 * Redis, a third party's): a 43-character hash, a TTL of 1 ms to 10 minutes, and a record
 * bound to a client, a redirect URI, an S256 challenge, scopes, a subject and a session.
 * A record without a well-formed challenge is refused here, so no store ever holds a code
 * that a bare `code_verifier` (or none) could redeem. Throws `BulwarkError('invalid_argument')`.
 */
export function checkAuthorizationCode(hash: unknown, record: AuthorizationCodeRecord, ttlMs: unknown): void {
  if (typeof hash !== 'string' || !HASH.test(hash)) throw invalid('hash must be base64url SHA-256 (43 characters)');
  if (typeof ttlMs !== 'number' || !Number.isSafeInteger(ttlMs) || ttlMs < 1 || ttlMs > MAX_CODE_TTL_MS) {
    throw invalid('ttlMs must be an integer from 1 to 600000');
  }
  if (typeof record !== 'object' || record === null) throw invalid('record must be an object');
  const { clientId, redirectUri, codeChallenge, scopes, subject, familyId } = record;
  if (!text(clientId, 256)) throw invalid('clientId must be 1 to 256 characters');
  if (!text(redirectUri, 2048)) throw invalid('redirectUri must be 1 to 2048 characters');
  if (parseCodeChallenge(codeChallenge) === undefined) throw invalid('codeChallenge must be an S256 challenge');
  if (!Array.isArray(scopes) || scopes.length > 256 || scopes.some((s) => !text(s, 256))) {
    throw invalid('scopes must be at most 256 non-empty strings');
  }
  if (!text(subject, 1024)) throw invalid('subject must be 1 to 1024 characters');
  if (!text(familyId, 256)) throw invalid('familyId must be 1 to 256 characters');
}

/** A frozen copy holding exactly the record's fields (no extra member a caller passed in). */
export function copyRecord(record: AuthorizationCodeRecord): AuthorizationCodeRecord {
  return Object.freeze({
    clientId: record.clientId,
    redirectUri: record.redirectUri,
    codeChallenge: record.codeChallenge,
    scopes: Object.freeze([...record.scopes]),
    subject: record.subject,
    familyId: record.familyId,
  });
}
