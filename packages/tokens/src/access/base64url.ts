/**
 * A strict base64url decoder (RFC 4648 section 5, no padding, as RFC 7515 section 2 wants):
 * one pass that both checks the text is the one canonical encoding of its bytes and decodes
 * it. Refused: any character outside `[A-Za-z0-9_-]` (so `=`, `+`, `/`, whitespace, and
 * everything non-ASCII), a length of 4n + 1 (no byte string encodes to it), and non-zero
 * spare bits in the last character (`AB` and `AA` would otherwise both decode to `0x00`).
 *
 * This is what makes "the exact token string" a sound cache and denylist key: every byte
 * string has exactly one encoding that passes, so one token cannot be presented under
 * several string forms. It is not JWA code: signatures are still verified by jose.
 */

/** Each ASCII code's 6-bit value, or -1 for a character outside the base64url alphabet. */
const VALUE = new Int8Array(128).fill(-1);
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
for (let i = 0; i < ALPHABET.length; i++) VALUE[ALPHABET.charCodeAt(i)] = i;

/** The value of the character at `i`, or -1 when it is not base64url. */
function valueAt(text: string, i: number): number {
  const code = text.charCodeAt(i);
  return code < 128 ? (VALUE[code] as number) : -1;
}

/**
 * Decodes `text[start, end)` when it is canonical base64url; `undefined` otherwise.
 *
 * @example
 * ```ts
 * decodeCanonical('eyJ9', 0, 4); // Uint8Array [123, 34, 125]  ('{"}')
 * decodeCanonical('eyJ9=', 0, 5); // undefined (padding)
 * ```
 */
export function decodeCanonical(text: string, start: number, end: number): Uint8Array | undefined {
  const length = end - start;
  const tail = length & 3;
  if (tail === 1) return undefined;
  const out = new Uint8Array((length >> 2) * 3 + (tail === 0 ? 0 : tail - 1));
  let o = 0;
  let i = start;
  const full = end - tail;
  for (; i < full; i += 4) {
    const a = valueAt(text, i);
    const b = valueAt(text, i + 1);
    const c = valueAt(text, i + 2);
    const d = valueAt(text, i + 3);
    // One OR tells whether any of the four was -1 (its sign bit is set).
    if ((a | b | c | d) < 0) return undefined;
    const n = (a << 18) | (b << 12) | (c << 6) | d;
    out[o++] = n >> 16;
    out[o++] = (n >> 8) & 0xff;
    out[o++] = n & 0xff;
  }
  if (tail === 2) {
    const a = valueAt(text, i);
    const b = valueAt(text, i + 1);
    // 12 bits carry 8: the low 4 bits of the last character must be zero.
    if ((a | b) < 0 || (b & 0x0f) !== 0) return undefined;
    out[o] = (a << 2) | (b >> 4);
  } else if (tail === 3) {
    const a = valueAt(text, i);
    const b = valueAt(text, i + 1);
    const c = valueAt(text, i + 2);
    // 18 bits carry 16: the low 2 bits of the last character must be zero.
    if ((a | b | c) < 0 || (c & 0x03) !== 0) return undefined;
    const n = (a << 12) | (b << 6) | c;
    out[o++] = n >> 10;
    out[o] = (n >> 2) & 0xff;
  }
  return out;
}

/** True when `text[start, end)` is canonical base64url, without building the bytes. */
export function isCanonical(text: string, start: number, end: number): boolean {
  const length = end - start;
  const tail = length & 3;
  if (tail === 1) return false;
  let bad = 0;
  for (let i = start; i < end; i++) bad |= valueAt(text, i);
  if (bad < 0) return false;
  if (tail === 2) return (valueAt(text, end - 1) & 0x0f) === 0;
  if (tail === 3) return (valueAt(text, end - 1) & 0x03) === 0;
  return true;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The UTF-8 text of `bytes`, or `undefined` when it is not well-formed UTF-8. */
export function utf8Text(bytes: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

const CANONICAL_CHARS = /^[A-Za-z0-9_-]*$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: the whole ASCII range is the point
const ASCII = /^[\x00-\x7f]*$/;

/**
 * The UTF-8 text that canonical base64url `part` encodes, or `'encoding'` when the part is
 * not canonical or the bytes are not UTF-8. The fast path of the verifier: the alphabet is
 * checked with one regular expression and the spare bits on the last character, then the
 * runtime's `atob` decodes (with `-_` mapped to `+/`, which cannot be ambiguous once `+` and
 * `/` were refused); ASCII text (every JOSE header, most claims) is then already the string.
 */
export function canonicalText(part: string): string | 'encoding' {
  if (!CANONICAL_CHARS.test(part)) return 'encoding';
  const tail = part.length & 3;
  if (tail === 1) return 'encoding';
  if (tail !== 0) {
    const last = VALUE[part.charCodeAt(part.length - 1)] as number;
    if ((last & (tail === 2 ? 0x0f : 0x03)) !== 0) return 'encoding';
  }
  const binary = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
  if (ASCII.test(binary)) return binary;
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return utf8Text(bytes) ?? 'encoding';
}
