import { decodeUtf8 } from './utf8.js';

/**
 * Why a form body was refused; every reason is a 400:
 * - `encoding`: the bytes, or the bytes a `%XX` sequence stands for, are not UTF-8;
 * - `percent_encoding`: a `%` not followed by two hex digits;
 * - `forbidden_key`: a field named `__proto__`, `constructor` or `prototype`;
 * - `duplicate_key`: a field given more than once.
 */
export type FormFailure = 'encoding' | 'percent_encoding' | 'forbidden_key' | 'duplicate_key';

export type FormResult =
  | { readonly ok: true; readonly value: Record<string, string> }
  | {
      readonly ok: false;
      readonly reason: FormFailure;
      /** The repeated field (decoded), for `duplicate_key` only. */
      readonly key?: string;
    };

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
/** A `%` that does not start a `%XX` escape: the WHATWG parser would keep it as text. */
const BAD_PERCENT = /%(?![0-9A-Fa-f]{2})/;
const REPLACEMENT = /\uFFFD/g;
const ENCODED_REPLACEMENT = /%EF%BF%BD/gi;
const NON_ASCII = /[\u0080-\uffff]/;
const NON_ASCII_RUNS = /[\u0080-\uffff]+/g;

const count = (text: string, pattern: RegExp): number => text.match(pattern)?.length ?? 0;

/**
 * Whether the decoded fields hold more U+FFFD than the body spelled (as `%EF%BF%BD`; the
 * body is ASCII by now, see {@link parseFormBody}). The WHATWG parser decodes `%XX`
 * bytes leniently: each invalid UTF-8 sequence becomes one more U+FFFD. The byte EF only
 * ever starts a sequence, so a genuine U+FFFD always decodes as itself, whatever precedes
 * it, and any surplus is invalid input.
 */
function hasInvalidEscapes(ascii: string, fields: ReadonlyArray<readonly [string, string]>): boolean {
  let decoded = 0;
  for (const [key, value] of fields) {
    if (key.indexOf('\uFFFD') !== -1) decoded += count(key, REPLACEMENT);
    if (value.indexOf('\uFFFD') !== -1) decoded += count(value, REPLACEMENT);
  }
  return decoded > 0 && decoded > count(ascii, ENCODED_REPLACEMENT);
}

/**
 * Parses an `application/x-www-form-urlencoded` body with the WHATWG `URLSearchParams`
 * (`+` is a space, `%XX` a byte, pairs split on `&`, a name on its first `=`), strictly:
 * the bytes must be UTF-8 and so must every `%XX` sequence (no U+FFFD stands in for
 * invalid bytes, so no lone surrogate gets through either), every `%` must start an
 * escape, a field may be given only once (RFC 6749 §3.1 for OAuth; `%61` and `a` are the
 * same name) and `__proto__`, `constructor` and `prototype` are refused. The value is a
 * null-prototype record of strings. Never throws.
 *
 * @example
 * ```ts
 * const bytes = new TextEncoder().encode('grant_type=refresh_token&scope=notes%3Aread+notes%3Awrite');
 * parseFormBody(bytes); // { ok: true, value: { grant_type: 'refresh_token', scope: 'notes:read notes:write' } }
 * parseFormBody(new TextEncoder().encode('a=1&%61=2')); // { ok: false, reason: 'duplicate_key', key: 'a' }
 * ```
 */
export function parseFormBody(bytes: Uint8Array): FormResult {
  const text = decodeUtf8(bytes);
  if (text === undefined) return { ok: false, reason: 'encoding' };
  if (text.indexOf('%') !== -1 && BAD_PERCENT.test(text)) return { ok: false, reason: 'percent_encoding' };
  // The standard percent-decodes the UTF-8 bytes of the text, so a character and the
  // escapes of its bytes are the same input. Node's URLSearchParams reads a character
  // beside an escape as one Latin-1 byte (`é%A9%AC` gives U+9A6C, not `é` and two bad
  // bytes): it is given the escapes only. The text is well-formed (strict UTF-8).
  const ascii = NON_ASCII.test(text) ? text.replace(NON_ASCII_RUNS, encodeURIComponent) : text;
  // The leading `&` is an empty pair, skipped: it keeps the constructor from dropping a
  // leading `?` (a query-string convenience), which the form parser reads as a name.
  const fields = [...new URLSearchParams(`&${ascii}`)];
  if (hasInvalidEscapes(ascii, fields)) return { ok: false, reason: 'encoding' };
  const value: Record<string, string> = Object.create(null);
  for (const [key, item] of fields) {
    if (FORBIDDEN_KEYS.has(key)) return { ok: false, reason: 'forbidden_key' };
    if (key in value) return { ok: false, reason: 'duplicate_key', key };
    value[key] = item;
  }
  return { ok: true, value };
}
