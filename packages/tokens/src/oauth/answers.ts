import { type HeaderList, type RespondDecision, respond } from '@bulwark/core';

/** RFC 6749 §5.2's error codes, as this server sends them. */
export type TokenErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope';

/** Every token endpoint answer: JSON, never stored by a cache (RFC 6749 §5.1). */
const JSON_HEADERS: HeaderList = Object.freeze([
  ['content-type', 'application/json'],
  ['cache-control', 'no-store'],
  ['pragma', 'no-cache'],
] as const);

/** RFC 6749 §5.2: error_description is %x20-21 / %x23-5B / %x5D-7E (no quote, no backslash). */
const DESCRIPTION = /^[\x20\x21\x23-\x5b\x5d-\x7e]+$/;

/** A §5.1 success. */
export function tokenSuccess(body: Readonly<Record<string, string | number>>): RespondDecision {
  return respond(200, JSON_HEADERS, JSON.stringify(body));
}

/**
 * A §5.2 error. `description` is always one of this module's fixed phrases, never the
 * input. `invalid_client` is a 401 with the Basic challenge (§5.2); the rest are 400.
 */
export function tokenError(error: TokenErrorCode, description: string, challenge: string): RespondDecision {
  if (!DESCRIPTION.test(description)) throw new TypeError('error_description outside RFC 6749 §5.2 characters');
  const body = JSON.stringify({ error, error_description: description });
  if (error === 'invalid_client') return respond(401, [...JSON_HEADERS, ['www-authenticate', challenge]], body);
  return respond(400, JSON_HEADERS, body);
}
