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
 * The list-valued fields several primitives may each add to: `link` (RFC 8288), and
 * `ratelimit` / `ratelimit-policy` (structured-field lists: a per-client and a
 * per-principal rate-limit policy on one request each advertise their own limits).
 */
const APPENDED = new Set(['link', 'ratelimit', 'ratelimit-policy']);

/**
 * Applies a header list. `vary` merges with what is there (deduplicated), `link`,
 * `ratelimit` and `ratelimit-policy` append, every other name replaces.
 */
export function applyHeaders(sink: HeaderSink, headers: HeaderList): void {
  for (const [name, value] of headers) {
    if (name === 'vary') {
      sink.set('vary', mergeVary(sink.get('vary'), value));
    } else if (APPENDED.has(name)) {
      const existing = sink.get(name);
      sink.set(name, existing ? `${existing}, ${value}` : value);
    } else {
      sink.set(name, value);
    }
  }
}
