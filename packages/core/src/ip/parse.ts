/** A parsed IP address. IPv4-mapped IPv6 (`::ffff:192.0.2.1`) is unwrapped to IPv4. */
export interface IpAddress {
  readonly version: 4 | 6;
  /** 4 bytes for IPv4, 16 for IPv6. */
  readonly bytes: Uint8Array;
}

const MAX_IP_TEXT = 64;

function parseIpv4Into(text: string, out: Uint8Array, offset: number): boolean {
  let part = 0;
  let digits = 0;
  let value = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i === text.length ? 0x2e : text.charCodeAt(i);
    if (c === 0x2e) {
      // Reject empty parts and leading zeros: "010" is octal to some parsers and decimal
      // to others, and two parsers disagreeing about an address is a bypass.
      if (digits === 0 || (digits > 1 && text.charCodeAt(i - digits) === 0x30) || value > 255 || part > 3) return false;
      out[offset + part] = value;
      part++;
      digits = 0;
      value = 0;
    } else if (c >= 0x30 && c <= 0x39) {
      if (++digits > 3) return false;
      value = value * 10 + (c - 0x30);
    } else {
      return false;
    }
  }
  return part === 4;
}

function parseHexGroup(text: string): number {
  if (text.length === 0 || text.length > 4) return -1;
  let value = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    let digit: number;
    if (c >= 0x30 && c <= 0x39) digit = c - 0x30;
    else if (c >= 0x61 && c <= 0x66) digit = c - 0x57;
    else if (c >= 0x41 && c <= 0x46) digit = c - 0x37;
    else return -1;
    value = value * 16 + digit;
  }
  return value;
}

/** Parses the groups of one side of `::` into 16-bit words; the last may be dotted IPv4. */
function parseGroups(text: string, allowTrailingIpv4: boolean): number[] | undefined {
  if (text === '') return [];
  const parts = text.split(':');
  const words: number[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as string;
    if (allowTrailingIpv4 && i === parts.length - 1 && part.includes('.')) {
      const v4 = new Uint8Array(4);
      if (!parseIpv4Into(part, v4, 0)) return undefined;
      words.push(((v4[0] as number) << 8) | (v4[1] as number), ((v4[2] as number) << 8) | (v4[3] as number));
      continue;
    }
    const word = parseHexGroup(part);
    if (word < 0) return undefined;
    words.push(word);
  }
  return words;
}

function parseIpv6(text: string): Uint8Array | undefined {
  const zone = text.indexOf('%');
  const body = zone === -1 ? text : text.slice(0, zone);
  if (zone !== -1 && zone === text.length - 1) return undefined;
  const gap = body.indexOf('::');
  let words: number[];
  if (gap === -1) {
    const all = parseGroups(body, true);
    if (all === undefined || all.length !== 8) return undefined;
    words = all;
  } else {
    if (body.indexOf('::', gap + 1) !== -1) return undefined;
    const head = parseGroups(body.slice(0, gap), false);
    const tail = parseGroups(body.slice(gap + 2), true);
    if (head === undefined || tail === undefined || head.length + tail.length > 7) return undefined;
    words = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  }
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    const word = words[i] as number;
    bytes[i * 2] = word >> 8;
    bytes[i * 2 + 1] = word & 0xff;
  }
  return bytes;
}

function isIpv4Mapped(bytes: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return false;
  return bytes[10] === 0xff && bytes[11] === 0xff;
}

/**
 * Parses an IPv4 or IPv6 address (no port, no brackets). Strict: no leading zeros in
 * IPv4 parts, no shorthand like `127.1`; an IPv6 zone id (`%eth0`) is dropped.
 * Returns `undefined` for anything else.
 */
export function parseIp(text: string): IpAddress | undefined {
  if (text.length === 0 || text.length > MAX_IP_TEXT) return undefined;
  if (text.includes(':')) {
    const bytes = parseIpv6(text);
    if (bytes === undefined) return undefined;
    return isIpv4Mapped(bytes) ? { version: 4, bytes: bytes.slice(12) } : { version: 6, bytes };
  }
  const bytes = new Uint8Array(4);
  return parseIpv4Into(text, bytes, 0) ? { version: 4, bytes } : undefined;
}

/** The canonical text of an address: dotted quad, or RFC 5952 for IPv6. */
export function formatIp(ip: IpAddress): string {
  const b = ip.bytes;
  if (ip.version === 4) return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push(((b[i] as number) << 8) | (b[i + 1] as number));
  // RFC 5952: compress the longest run of two or more zero words, the leftmost on a tie.
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = (list: number[]) => list.map((w) => w.toString(16)).join(':');
  if (bestStart === -1) return hex(words);
  return `${hex(words.slice(0, bestStart))}::${hex(words.slice(bestStart + bestLength))}`;
}

/**
 * The 32-bit value of `text` when it is a dotted quad exactly as `formatIp` writes it
 * (four decimal octets, 0-255, no leading zeros, nothing else), else -1. One pass over the
 * string: the check that a canonical address is its own key also yields the number a
 * store can index it by, without hashing the string.
 *
 * @example
 * ```ts
 * canonicalIpv4Value('192.0.2.1')  // 3221225985
 * canonicalIpv4Value('192.0.2.01') // -1 (not canonical)
 * canonicalIpv4Value('::1')        // -1
 * ```
 */
export function canonicalIpv4Value(text: string): number {
  const length = text.length;
  if (length < 7 || length > 15) return -1;
  let octets = 0;
  let digits = 0;
  let octet = 0;
  let value = 0;
  for (let i = 0; i <= length; i++) {
    const code = i === length ? 46 : text.charCodeAt(i);
    if (code === 46) {
      if (digits === 0 || octet > 255) return -1;
      octets++;
      value = value * 256 + octet;
      digits = 0;
      octet = 0;
    } else {
      // A digit, and not one after a leading zero.
      if (code < 48 || code > 57 || (digits === 1 && octet === 0)) return -1;
      octet = octet * 10 + (code - 48);
      digits++;
    }
  }
  return octets === 4 ? value : -1;
}

/** True when `text` is a canonical dotted quad (see {@link canonicalIpv4Value}): then it is its own key. */
export function isCanonicalIpv4(text: string): boolean {
  return canonicalIpv4Value(text) >= 0;
}

/**
 * Parses and re-formats an address; `undefined` when it is not one. A canonical dotted
 * quad is answered with the string given (no parse, no new string).
 */
export function normalizeIp(text: string): string | undefined {
  if (isCanonicalIpv4(text)) return text;
  const ip = parseIp(text);
  return ip === undefined ? undefined : formatIp(ip);
}

/**
 * Parses an address as proxies write it in `X-Forwarded-For` or `Forwarded`: bare,
 * `[v6]`, `[v6]:port` or `v4:port`.
 */
export function parseIpWithOptionalPort(text: string): IpAddress | undefined {
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close === -1) return undefined;
    const rest = text.slice(close + 1);
    if (rest !== '' && !/^:\d{1,5}$/.test(rest)) return undefined;
    return parseIp(text.slice(1, close));
  }
  const colon = text.indexOf(':');
  if (colon !== -1 && colon === text.lastIndexOf(':') && text.includes('.')) {
    if (!/^\d{1,5}$/.test(text.slice(colon + 1))) return undefined;
    return parseIp(text.slice(0, colon));
  }
  return parseIp(text);
}
