/**
 * Duplicate member names in JSON text. `JSON.parse` keeps the last of two `"alg"` members
 * silently, while another parser (a proxy, a gateway, a logging pipeline) may keep the
 * first: the two would then disagree on what one token says. RFC 7515 section 5.2 lets a
 * JWS parser refuse such headers, and we refuse them in the header and the payload, at
 * every depth.
 *
 * How, in one regular-expression pass (cheap next to a hand-written scanner): count the
 * member names in the text, and compare with the members `JSON.parse` kept. `JSON.parse`
 * keeps one member per distinct name (after unescaping: `"a"` and `"\u0061"` are one), so
 * the two counts differ exactly when some object has a name twice. In valid JSON a quote
 * only ever opens or closes a string, so a global match of whole string literals walks
 * the strings in order, never starting inside one; a string followed by `:` is a name.
 */

/** Every string literal, and whether a colon follows it (then it is a member name). */
const STRING = /"(?:[^"\\]|\\.)*"(\s*:)?/g;

/** The number of members of every object in a parsed value. */
function memberCount(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  if (Array.isArray(value)) {
    let n = 0;
    for (const item of value) n += memberCount(item);
    return n;
  }
  let n = 0;
  for (const key in value) {
    n += 1 + memberCount((value as Record<string, unknown>)[key]);
  }
  return n;
}

/**
 * True when an object anywhere in `text` (valid JSON; `value` is its `JSON.parse`) has two
 * members of one name.
 *
 * @example
 * ```ts
 * hasDuplicateMembers('{"alg":"ES256","alg":"none"}'); // true
 * hasDuplicateMembers('{"a":{"b":1},"b":{"a":2}}');   // false
 * ```
 */
export function hasDuplicateMembers(text: string, value: unknown = JSON.parse(text)): boolean {
  let names = 0;
  STRING.lastIndex = 0;
  for (let match = STRING.exec(text); match !== null; match = STRING.exec(text)) {
    if (match[1] !== undefined) names++;
  }
  return names !== memberCount(value);
}
