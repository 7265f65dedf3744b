/** Ordered name/value pairs. Names are lower-case; a name may repeat (for example `vary`). */
export type HeaderList = ReadonlyArray<readonly [name: string, value: string]>;

const TOKEN_CHARS = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** RFC 9110 `token`: the grammar of header names, methods and many header values. */
export function isToken(value: string): boolean {
  return TOKEN_CHARS.test(value);
}

/**
 * True when `value` can be sent as a field value: visible ASCII, space and tab only, no
 * leading or trailing whitespace. This refuses CR/LF (header injection) and NUL.
 */
export function isSafeHeaderValue(value: string): boolean {
  if (value.length === 0) return true;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x09) continue;
    if (c < 0x20 || c > 0x7e) return false;
  }
  const first = value.charCodeAt(0);
  const last = value.charCodeAt(value.length - 1);
  return first !== 0x20 && first !== 0x09 && last !== 0x20 && last !== 0x09;
}

/**
 * Adds `tokens` to an existing `Vary` value without duplicates (case-insensitive), keeping
 * the order. `*` absorbs everything.
 */
export function mergeVary(existing: string | undefined, tokens: string): string {
  if (existing === undefined || existing.trim() === '') return tokens;
  const seen = new Set<string>();
  const out: string[] = [];
  for (const part of `${existing},${tokens}`.split(',')) {
    const name = part.trim();
    if (name === '') continue;
    if (name === '*') return '*';
    const key = name.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(name);
  }
  return out.join(', ');
}

/**
 * The few operations an adapter exposes so that core can put headers on an answer.
 * Keeping `Vary` merging here (and not in every adapter) keeps one behaviour.
 */
export interface HeaderSink {
  get(name: string): string | undefined;
  set(name: string, value: string): void;
  remove(name: string): void;
}

/**
 * Names whose values from several policies are one list, so a later value is appended to
 * the one already there (`a, b`) instead of replacing it: `link` (several primitives may
 * each add a link) and the RateLimit fields (draft-ietf-httpapi-ratelimit-headers: each
 * field is a list with one item per policy, so two rate-limit policies that both allow
 * send both policies' items). Whether a later value of this (lower-case) field appends to
 * the one already set (see `applyHeaders`).
 *
 * @example
 * ```ts
 * isListField('ratelimit'); // true
 * isListField('vary'); // false: Vary merges without duplicates (mergeVary)
 * ```
 */
export function isListField(name: string): boolean {
  // Three comparisons, no Set lookup: this runs for every header of every request.
  return name === 'ratelimit' || name === 'ratelimit-policy' || name === 'link';
}

/**
 * Applies a header list. `vary` merges with what is there (deduplicated); `link`,
 * `ratelimit` and `ratelimit-policy` append (`existing, value`: the list fields several
 * policies each add items to); every other name replaces.
 *
 * An indexed loop, not `for...of`: header lists are often frozen arrays shared by every
 * request (the header profile's), and on Node.js 20 iterating a frozen array leaves V8's
 * fast path; this runs for every policy of every request.
 *
 * @example
 * ```ts
 * applyHeaders(sink, [['ratelimit', '"b";r=4;t=60']]); // after '"a";r=9;t=60': '"a";r=9;t=60, "b";r=4;t=60'
 * ```
 */
export function applyHeaders(sink: HeaderSink, headers: HeaderList): void {
  for (let i = 0; i < headers.length; i++) {
    const pair = headers[i] as readonly [string, string];
    const name = pair[0];
    const value = pair[1];
    if (name === 'vary') {
      sink.set('vary', mergeVary(sink.get('vary'), value));
    } else if (isListField(name)) {
      const existing = sink.get(name);
      sink.set(name, existing ? `${existing}, ${value}` : value);
    } else {
      sink.set(name, value);
    }
  }
}
