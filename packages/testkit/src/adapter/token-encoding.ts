/**
 * Non-canonical spellings of a compact JWS: each decodes, with a lenient base64 decoder, to
 * exactly the bytes of the canonical token, so a verifier that accepts any of them gives one
 * token several string forms (which breaks denylists and caches keyed on the string).
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** The segments of a compact token. */
export function segments(token: string): [string, string, string] {
  const parts = token.split('.');
  if (parts.length !== 3) throw new Error('expected a compact JWS of three segments');
  return parts as [string, string, string];
}

/** Replaces segment `index` (0 header, 1 payload, 2 signature). */
export function withSegment(token: string, index: 0 | 1 | 2, value: string): string {
  const parts = segments(token);
  parts[index] = value;
  return parts.join('.');
}

/** The `=` padding base64 would put after a segment: none when its length is a multiple of 4. */
export function padding(segment: string): string {
  const rest = segment.length % 4;
  return rest === 0 ? '' : '='.repeat(4 - rest);
}

/** The standard alphabet (`+`, `/`) instead of the URL-safe one; the same bytes. */
export function standardAlphabet(segment: string): string {
  return segment.replace(/-/g, '+').replace(/_/g, '/');
}

/**
 * The segment with a non-zero spare bit in its last character: a segment of length 4n+2
 * (or 4n+3) ends with a character of which only the top 2 (or 4) bits carry data; canonical
 * base64url sets the rest to zero (RFC 4648 §3.5). Lenient decoders ignore them. Undefined
 * when the segment has no spare bits (its length is a multiple of 4).
 */
export function withSpareBit(segment: string): string | undefined {
  if (segment.length % 4 === 0 || segment.length % 4 === 1) return undefined;
  const last = ALPHABET.indexOf(segment.slice(-1));
  if (last < 0) throw new Error('not a base64url segment');
  return segment.slice(0, -1) + (ALPHABET[last | 1] as string);
}

/** Whether a segment has a character the standard alphabet spells differently. */
export function hasUrlSafeCharacter(segment: string): boolean {
  return /[-_]/.test(segment);
}
