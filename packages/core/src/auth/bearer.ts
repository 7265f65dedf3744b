/** What an `Authorization` field value holds, as far as RFC 6750 is concerned. */
export type BearerCredential =
  /** No field, an empty one, or a credential of another scheme (`Basic ...`). */
  | { readonly kind: 'none' }
  /** `Bearer <b64token>`: the token, exactly as sent. */
  | { readonly kind: 'bearer'; readonly token: string }
  /** The Bearer scheme, but not RFC 6750 §2.1's grammar: answered 400 `invalid_request`. */
  | { readonly kind: 'malformed' };

const NONE: BearerCredential = Object.freeze({ kind: 'none' });
const MALFORMED: BearerCredential = Object.freeze({ kind: 'malformed' });

/**
 * RFC 6750 §2.1: `credentials = "Bearer" 1*SP b64token`, with
 * `b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`. The scheme is
 * case-insensitive (RFC 9110 §11.1). One linear regex: no backtracking can blow up on the
 * 16 KiB of header a client may send.
 */
const BEARER = /^[Bb][Ee][Aa][Rr][Ee][Rr] +([A-Za-z0-9\-._~+/]+=*)$/;

/** `Bearer` as a whole auth-scheme (not the start of `Bearerx`): anything after it that is not a tchar. */
const BEARER_SCHEME = /^bearer(?![!#$%&'*+\-.^_`|~0-9A-Za-z])/i;

/**
 * The value without RFC 9110 OWS at either end (not part of a field value, §5.5). A loop,
 * not `/[ \t]+$/`, which is quadratic on a long run of inner spaces.
 */
function trimOws(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && isOws(value.charCodeAt(start))) start++;
  while (end > start && isOws(value.charCodeAt(end - 1))) end--;
  return start === 0 && end === value.length ? value : value.slice(start, end);
}

function isOws(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/**
 * Reads an `Authorization` field value the RFC 6750 way. `Bearer` (in any case) followed by
 * one or more spaces and one b64token is a bearer token; the Bearer scheme with anything
 * else — nothing after it, two tokens, a character outside b64token, a tab as separator, or
 * the combined value of two `Authorization` fields (`Bearer a, Bearer b`, as Node and Web
 * `Headers` join a repeated field) — is `malformed`; no field, an empty one or another
 * scheme is `none`. A first credential of another scheme is `none` whatever follows it
 * (`Basic x, Bearer y`): the Bearer part is never used, and such a request authenticates
 * as nobody.
 *
 * @example
 * ```ts
 * parseBearer('Bearer mF_9.B5f-4.1JqM'); // { kind: 'bearer', token: 'mF_9.B5f-4.1JqM' }
 * parseBearer('bearer  abc==');           // { kind: 'bearer', token: 'abc==' }
 * parseBearer('Bearer a, Bearer b');      // { kind: 'malformed' }
 * parseBearer('Basic dXNlcjpwYXNz');      // { kind: 'none' }
 * ```
 */
export function parseBearer(value: string | undefined): BearerCredential {
  if (value === undefined) return NONE;
  // The hot path: a well-formed field, as every client sends it.
  let match = BEARER.exec(value);
  if (match === null) {
    const trimmed = trimOws(value);
    if (!BEARER_SCHEME.test(trimmed)) return NONE;
    match = BEARER.exec(trimmed);
    if (match === null) return MALFORMED;
  }
  return { kind: 'bearer', token: match[1] as string };
}
