import { type IpAddress, parseIpWithOptionalPort } from './parse.js';

/**
 * The longest `X-Forwarded-For` entry read, blanks included. An address with brackets,
 * zone and port is at most 72 characters; a longer entry is malformed.
 */
export const MAX_FORWARDED_FOR_ENTRY = 128;

/**
 * The longest `Forwarded` element read. Room for `for`, `by`, `proto` and a long `host`;
 * a longer element is malformed.
 */
export const MAX_FORWARDED_ELEMENT = 512;

/**
 * Where a walk over a forwarding header stands: the part not yet read is
 * `value.slice(0, end)`; `end` is -1 once the left-most element has been read.
 */
export interface ChainCursor {
  end: number;
}

/**
 * Reads the element just left of `cursor.end` and moves the cursor past it. Answers its
 * address, or `undefined` when the element is not one (malformed, too long, `unknown`,
 * obfuscated, no `for`): then the walk must stop, and the cursor is left unspecified.
 */
export type HopReader = (value: string, cursor: ChainCursor) => IpAddress | undefined;

const COMMA = 0x2c;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const SEMICOLON = 0x3b;
const EQUALS = 0x3d;

const isBlank = (c: number) => c === 0x20 || c === 0x09;

/** RFC 9110 tchar, as a table: one lookup per character on the per-request path. */
const TOKEN_CHARS = new Uint8Array(128);
for (const ch of "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
  TOKEN_CHARS[ch.charCodeAt(0)] = 1;
const isTokenChar = (c: number) => c < 128 && TOKEN_CHARS[c] === 1;

/**
 * Characters of an unquoted parameter value: a token, plus the `:`, `[` and `]` of the
 * `[v6]:port` and `v4:port` forms some proxies write without the quotes RFC 7239 asks for.
 */
const isBareValueChar = (c: number) => isTokenChar(c) || c === 0x3a || c === 0x5b || c === 0x5d;

/** qdtext and the escaped character of a quoted-pair (RFC 9110 §5.6.4): no controls. */
const isQuotedChar = (c: number) => c === 0x09 || (c >= 0x20 && c !== 0x7f && c <= 0xff);

/**
 * Reads one `X-Forwarded-For` entry from the right: the text after the last comma left of
 * `cursor.end`. At most {@link MAX_FORWARDED_FOR_ENTRY} characters are looked at.
 */
export const readForwardedForHop: HopReader = (value, cursor) => {
  const end = cursor.end;
  // A comma left of `stop` would make the entry too long; -1 stands for the value's start.
  const stop = end - MAX_FORWARDED_FOR_ENTRY - 1;
  let i = end - 1;
  while (i >= 0 && i >= stop && value.charCodeAt(i) !== COMMA) i--;
  if (i < stop) return undefined;
  cursor.end = i;
  return parseIpWithOptionalPort(value.slice(i + 1, end).trim());
};

/**
 * Finds where the `Forwarded` element ending at `end` starts, scanning leftwards and
 * honouring quoted strings, so a comma inside quotes does not split. Scanning from the
 * right is what keeps a client's stray quote from reaching the elements proxies appended:
 * a well-formed element read from its end is read the same whatever stands left of it.
 * Answers the index of the separating comma (-1 at the start), or -2 when the element is
 * longer than {@link MAX_FORWARDED_ELEMENT}.
 */
function elementStart(value: string, end: number): number {
  const stop = end - MAX_FORWARDED_ELEMENT - 1;
  let inQuotes = false;
  let i = end - 1;
  for (; i >= 0 && i >= stop; i--) {
    const c = value.charCodeAt(i);
    if (c === COMMA && !inQuotes) break;
    if (c !== QUOTE) continue;
    if (!inQuotes) {
      inQuotes = true;
      continue;
    }
    // Inside quotes a `"` closes them (we read backwards: it opens the string) unless an
    // odd run of backslashes escapes it. The run is bounded by `stop` like the scan.
    let k = i - 1;
    while (k >= 0 && k >= stop && value.charCodeAt(k) === BACKSLASH) k--;
    if ((i - 1 - k) % 2 === 0) inQuotes = false;
  }
  return i < stop ? -2 : i;
}

/**
 * Parses one element, `value.slice(start, end)`, left to right and strictly: pairs
 * `token=value` separated by `;` (blanks allowed around `;` and at the ends), each value a
 * bare token or a quoted string, at most one `for`. Answers the unescaped `for` value,
 * `undefined` when there is none or the element is malformed.
 */
function forValueOf(value: string, start: number, end: number): string | undefined {
  let i = start;
  let forValue: string | undefined;
  let seenFor = false;
  while (i < end && isBlank(value.charCodeAt(i))) i++;
  for (;;) {
    const nameStart = i;
    while (i < end && isTokenChar(value.charCodeAt(i))) i++;
    if (i === nameStart || i === end || value.charCodeAt(i) !== EQUALS) return undefined;
    const isFor = i - nameStart === 3 && value.slice(nameStart, i).toLowerCase() === 'for';
    i++;
    let text: string;
    if (i < end && value.charCodeAt(i) === QUOTE) {
      i++;
      text = '';
      let closed = false;
      while (i < end) {
        let c = value.charCodeAt(i);
        if (c === QUOTE) {
          closed = true;
          i++;
          break;
        }
        if (c === BACKSLASH) {
          i++;
          if (i === end) return undefined;
          c = value.charCodeAt(i);
        }
        if (!isQuotedChar(c)) return undefined;
        text += String.fromCharCode(c);
        i++;
      }
      if (!closed) return undefined;
    } else {
      const valueStart = i;
      while (i < end && isBareValueChar(value.charCodeAt(i))) i++;
      if (i === valueStart) return undefined;
      text = value.slice(valueStart, i);
    }
    if (isFor) {
      if (seenFor) return undefined;
      seenFor = true;
      forValue = text;
    }
    while (i < end && isBlank(value.charCodeAt(i))) i++;
    if (i === end) return forValue;
    if (value.charCodeAt(i) !== SEMICOLON) return undefined;
    i++;
    while (i < end && isBlank(value.charCodeAt(i))) i++;
  }
}

/**
 * Reads one RFC 7239 `Forwarded` element from the right and answers its `for` address.
 * At most {@link MAX_FORWARDED_ELEMENT} characters are looked at (each at most twice).
 */
export const readForwardedHop: HopReader = (value, cursor) => {
  const end = cursor.end;
  const comma = elementStart(value, end);
  if (comma === -2) return undefined;
  cursor.end = comma;
  const text = forValueOf(value, comma + 1, end);
  return text === undefined ? undefined : parseIpWithOptionalPort(text);
};

/** Reads the whole chain, right-most (nearest hop) first, stopping after the first non-address. */
function wholeChain(value: string, read: HopReader): Array<IpAddress | undefined> {
  const chain: Array<IpAddress | undefined> = [];
  const cursor: ChainCursor = { end: value.length };
  while (cursor.end >= 0) {
    const hop = read(value, cursor);
    chain.push(hop);
    if (hop === undefined) break;
  }
  return chain;
}

/**
 * The addresses of an `X-Forwarded-For` value, right-most (nearest hop) first, up to and
 * including the first entry that is not an address (`undefined`): nothing left of it can
 * be trusted, so it is not read. The client IP resolver reads hop by hop instead
 * ({@link readForwardedForHop}) and stops as soon as its trust rule does.
 */
export function forwardedForChain(value: string): Array<IpAddress | undefined> {
  return wholeChain(value, readForwardedForHop);
}

/**
 * The `for=` addresses of an RFC 7239 `Forwarded` value, right-most first, up to and
 * including the first element that gives none (`undefined`: malformed, `unknown`,
 * obfuscated `_hidden`, no `for`). Elements are split from the right, honouring quoted
 * strings, so a malformed element on the left (an unterminated quote) cannot swallow the
 * well-formed elements proxies appended after it.
 */
export function forwardedChain(value: string): Array<IpAddress | undefined> {
  return wholeChain(value, readForwardedHop);
}
