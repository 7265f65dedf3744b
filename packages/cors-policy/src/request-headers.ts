/** Result of checking `Access-Control-Request-Headers` against the allowlist. */
export type RequestHeadersCheck =
  | { readonly ok: true; readonly names: string }
  | { readonly ok: false; readonly reason: 'headers_not_allowed' | 'headers_malformed' };

/**
 * How many empty list elements (`,,authorization,,`) are ignored. RFC 9110 §5.6.1.2: a
 * recipient must ignore "a reasonable number" of them, enough for senders that merge
 * values but not so many that they become a denial-of-service vector. 16, as jub0bs/cors.
 */
export const MAX_EMPTY_ELEMENTS = 16;

const TCHAR = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
  TCHAR[c.charCodeAt(0)] = 1;

/**
 * Checks a comma-separated list of header names in one pass: every name must be a token in
 * `allowed` (lower-case). The work is linear in the value's length and independent of the
 * allowlist's size; the number of names is capped so a hostile list cannot make us build a
 * long answer, and at most MAX_EMPTY_ELEMENTS empty elements are ignored (more is
 * malformed). On success `names` is the canonical lower-case list to send back.
 */
export function checkRequestHeaders(
  value: string,
  allowed: ReadonlySet<string>,
  maxNames: number,
): RequestHeadersCheck {
  const names: string[] = [];
  let start = -1;
  let end = -1;
  let spaceAfterName = false;
  let empty = 0;
  for (let i = 0; i <= value.length; i++) {
    const c = i === value.length ? 0x2c : value.charCodeAt(i);
    if (c === 0x2c) {
      if (start === -1) {
        // An empty (or blank) element: browsers never send one, but intermediaries that merge
        // field lines do. The final element of an empty or blank value is no element at all.
        if (i === value.length && names.length === 0 && empty === 0) break;
        if (++empty > MAX_EMPTY_ELEMENTS) return { ok: false, reason: 'headers_malformed' };
        continue;
      }
      const name = value.slice(start, end + 1).toLowerCase();
      if (!allowed.has(name) || names.length >= maxNames) return { ok: false, reason: 'headers_not_allowed' };
      names.push(name);
      start = -1;
      spaceAfterName = false;
    } else if (c === 0x20 || c === 0x09) {
      if (start !== -1) spaceAfterName = true;
    } else if (c < 128 && TCHAR[c] === 1) {
      if (start === -1) start = i;
      else if (spaceAfterName) return { ok: false, reason: 'headers_malformed' };
      end = i;
    } else {
      return { ok: false, reason: 'headers_malformed' };
    }
  }
  return { ok: true, names: names.join(',') };
}
