import type { AuthFailureReason } from '@bulwark/core';
import { canonicalText, isCanonical } from './base64url.js';
import { hasDuplicateMembers } from './json-members.js';

/** A JWS compact serialisation that passed the pre-decode checks. */
export interface CompactParts {
  /** The three parts as they appear in the token (jose verifies over them). */
  readonly encodedHeader: string;
  readonly encodedPayload: string;
  readonly encodedSignature: string;
  readonly header: Readonly<Record<string, unknown>>;
  readonly payload: Readonly<Record<string, unknown>>;
  /** The payload's JSON text (its length sizes a cache entry). */
  readonly payloadText: string;
}

export type CompactResult =
  | { readonly ok: true; readonly parts: CompactParts }
  | { readonly ok: false; readonly reason: AuthFailureReason };

const fail = (reason: AuthFailureReason): CompactResult => ({ ok: false, reason });

/** A plain JSON object (not an array, not null) parsed from `text`, with no duplicate member, or `undefined`. */
function jsonObject(text: string): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  if (hasDuplicateMembers(text, value)) return undefined;
  return value as Record<string, unknown>;
}

/** Where the two dots of a compact JWS are, once its size and shape passed. */
export interface CompactSplit {
  readonly first: number;
  readonly second: number;
}

/**
 * The size and shape checks that come before anything is decoded: over `maxBytes` is
 * `too_large`; anything but three non-empty header and payload parts is `malformed`.
 */
export function splitCompact(token: string, maxBytes: number): CompactSplit | AuthFailureReason {
  // Every valid token is ASCII, so its length in UTF-16 units is its length in bytes; a
  // non-ASCII one is refused by the encoding checks.
  if (token.length > maxBytes) return 'too_large';
  const first = token.indexOf('.');
  const second = first < 0 ? -1 : token.indexOf('.', first + 1);
  if (second < 0 || token.indexOf('.', second + 1) >= 0) return 'malformed';
  if (first === 0 || second === first + 1) return 'malformed';
  return { first, second };
}

/** A decoded header or payload part: its JSON object and text, or why it is refused. */
export type DecodedPart = { readonly value: Record<string, unknown>; readonly text: string } | 'encoding' | 'malformed';

/** Decodes one base64url part to a JSON object with no duplicate member (`encoding` before `malformed`). */
export function decodePart(part: string): DecodedPart {
  const text = canonicalText(part);
  if (text === 'encoding') return text;
  const value = jsonObject(text);
  return value === undefined ? 'malformed' : { value, text };
}

/**
 * The strict pre-decode parser of an access token, in the order that keeps a hostile token
 * cheap: its length first (nothing is decoded of a token over `maxBytes`: `too_large`),
 * then exactly three parts (`malformed`), then each part canonical base64url (`encoding`:
 * padding, `+`, `/`, whitespace, non-zero spare bits), then the header and payload each a
 * JSON object in well-formed UTF-8 with no duplicate member at any depth (`malformed`).
 * The signature part is checked for its encoding only; its bytes are jose's business.
 * The verifier's fast path reaches the same answer for every token (see `verifier.ts`).
 *
 * @example
 * ```ts
 * declare const token: string;
 * const result = parseCompact(token, 8192);
 * if (result.ok) result.parts.header.alg; // 'ES256'
 * ```
 */
export function parseCompact(token: string, maxBytes: number): CompactResult {
  const split = splitCompact(token, maxBytes);
  if (typeof split === 'string') return fail(split);
  const { first, second } = split;
  const headerText = canonicalText(token.slice(0, first));
  const payloadText = headerText === 'encoding' ? headerText : canonicalText(token.slice(first + 1, second));
  if (payloadText === 'encoding' || !isCanonical(token, second + 1, token.length)) return fail('encoding');
  const header = jsonObject(headerText as string);
  const payload = header && jsonObject(payloadText);
  if (payload === undefined) return fail('malformed');
  return {
    ok: true,
    parts: {
      encodedHeader: token.slice(0, first),
      encodedPayload: token.slice(first + 1, second),
      encodedSignature: token.slice(second + 1),
      header: header as Record<string, unknown>,
      payload,
      payloadText,
    },
  };
}
