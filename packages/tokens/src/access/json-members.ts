/**
 * Duplicate member names in JSON text. `JSON.parse` keeps the last of two `"alg"` members
 * silently, while another parser (a proxy, a gateway, a logging pipeline) may keep the
 * first: the two would then disagree on what one token says. RFC 7515 section 5.2 lets a
 * JWS parser refuse such headers, and we refuse them in the header and the payload, at
 * every depth.
 *
 * The scan is for text `JSON.parse` has already accepted: it only has to tell member names
 * from values, not validate. Names are compared after unescaping (`"a"` and `"\u0061"` are
 * the same member, as `JSON.parse` sees them).
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

/** The index just past the string literal opening at `start` (a quote), and whether it holds an escape. */
function stringEnd(text: string, start: number): { end: number; escaped: boolean } {
  let escaped = false;
  let i = start + 1;
  for (;;) {
    const code = text.charCodeAt(i);
    if (code === QUOTE) return { end: i + 1, escaped };
    if (code === BACKSLASH) {
      escaped = true;
      i += 2;
    } else {
      i++;
    }
  }
}

/**
 * True when an object anywhere in `text` (valid JSON) has two members of one name.
 *
 * @example
 * ```ts
 * hasDuplicateMembers('{"alg":"ES256","alg":"none"}'); // true
 * hasDuplicateMembers('{"a":{"b":1},"b":{"a":2}}');   // false
 * ```
 */
export function hasDuplicateMembers(text: string): boolean {
  // One entry per open container: the names seen so far for an object, null for an array.
  const stack: (Set<string> | null)[] = [];
  // True right after `{` or `,` inside an object: the next string is a member name.
  let expectName = false;
  const length = text.length;
  for (let i = 0; i < length; ) {
    const code = text.charCodeAt(i);
    if (code === QUOTE) {
      const { end, escaped } = stringEnd(text, i);
      if (expectName) {
        const names = stack[stack.length - 1] as Set<string>;
        const name = escaped ? (JSON.parse(text.slice(i, end)) as string) : text.slice(i + 1, end - 1);
        if (names.has(name)) return true;
        names.add(name);
        expectName = false;
      }
      i = end;
      continue;
    }
    if (code === OPEN_OBJECT) {
      stack.push(new Set());
      expectName = true;
    } else if (code === OPEN_ARRAY) {
      stack.push(null);
      expectName = false;
    } else if (code === CLOSE_OBJECT || code === CLOSE_ARRAY) {
      stack.pop();
      expectName = false;
    } else if (code === COMMA) {
      expectName = (stack[stack.length - 1] ?? null) !== null;
    } else if (code === COLON) {
      expectName = false;
    }
    i++;
  }
  return false;
}
