import { normalizeIp } from '@bulwark/core';
import { isValidALabel } from './punycode.js';

/** A parsed, canonical web origin. `port` is '' for the scheme's default port. */
export interface Origin {
  readonly scheme: 'http' | 'https';
  readonly host: string;
  readonly port: string;
}

const DEFAULT_PORT = { http: '80', https: '443' } as const;
// A configured name: RFC 1123 labels (underscores tolerated), 1..63 octets, no hyphen at
// either end. A name no registry would issue in an allowlist is almost always a typo.
const STRICT_LABEL = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/;
// A name in a request's Origin: the URL standard (UTS 46 with CheckHyphens and
// VerifyDnsLength off) lets browsers send labels with a hyphen at either end and labels
// longer than 63 octets, so those are read, not refused. The dots make the pattern
// unambiguous: it runs in linear time.
const ORIGIN_HOST = /^[a-z0-9_-]+(?:\.[a-z0-9_-]+)*$/;
// A host is at most 253 octets in DNS; jub0bs/cors bounds request origins the same way, so
// nothing longer is ever matched.
const MAX_HOST_LENGTH = 253;
const MAX_ORIGIN_LENGTH = 2048;

/**
 * The URL standard's "ends in a number" test: a host whose last label is all digits or a
 * `0x` hexadecimal number is parsed as an IPv4 address (`0x7f000001` is 127.0.0.1) or
 * refused (`example.0x1f`), so browsers never send it as a name.
 */
export function endsInANumber(host: string): boolean {
  const last = host.slice(host.lastIndexOf('.') + 1);
  return /^(?:\d+|0x[0-9a-f]*)$/.test(last);
}

/**
 * True for a name that may be configured: lower-case RFC 1123 labels, at most 253
 * characters, the last one not a number, every `xn--` label valid Punycode.
 */
export function isDnsName(host: string): boolean {
  if (host.length === 0 || host.length > MAX_HOST_LENGTH) return false;
  for (const label of host.split('.')) {
    if (!STRICT_LABEL.test(label)) return false;
    if (label.startsWith('xn--') && !isValidALabel(label)) return false;
  }
  return !endsInANumber(host);
}

/** True for a name a browser may send in `Origin` (see ORIGIN_HOST); never an IP address. */
export function isOriginHostName(host: string): boolean {
  return host.length > 0 && host.length <= MAX_HOST_LENGTH && ORIGIN_HOST.test(host) && !endsInANumber(host);
}

function parsePort(text: string): string | undefined {
  if (!/^[1-9]\d{0,4}$/.test(text) || Number(text) > 65535) return undefined;
  return text;
}

/**
 * Parses an `Origin` header value. Only the exact serialization browsers send is accepted
 * (lower-case scheme and host, no default port, no path, an IPv4 address only as a dotted
 * quad); anything else is `undefined` and therefore never allowed. `null`, opaque origins
 * and hosts with a trailing dot (which no allowlist entry can name) are `undefined` too.
 */
export function parseOriginHeader(value: string): Origin | undefined {
  if (value.length > MAX_ORIGIN_LENGTH) return undefined;
  let scheme: 'http' | 'https';
  let rest: string;
  if (value.startsWith('https://')) {
    scheme = 'https';
    rest = value.slice(8);
  } else if (value.startsWith('http://')) {
    scheme = 'http';
    rest = value.slice(7);
  } else {
    return undefined;
  }
  let host: string;
  let port = '';
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close === -1) return undefined;
    const literal = rest.slice(1, close);
    if (normalizeIp(literal) !== literal || !literal.includes(':')) return undefined;
    host = `[${literal}]`;
    rest = rest.slice(close + 1);
    if (rest !== '') {
      if (!rest.startsWith(':')) return undefined;
      const parsed = parsePort(rest.slice(1));
      if (parsed === undefined) return undefined;
      port = parsed;
    }
  } else {
    const colon = rest.indexOf(':');
    host = colon === -1 ? rest : rest.slice(0, colon);
    if (colon !== -1) {
      const parsed = parsePort(rest.slice(colon + 1));
      if (parsed === undefined) return undefined;
      port = parsed;
    }
    const asIp = normalizeIp(host);
    if (asIp !== undefined ? asIp !== host : !isOriginHostName(host)) return undefined;
  }
  if (port === DEFAULT_PORT[scheme]) return undefined;
  return { scheme, host, port };
}

/** The serialization of an origin, as browsers write it. */
export function serializeOrigin(origin: Origin): string {
  return `${origin.scheme}://${origin.host}${origin.port === '' ? '' : `:${origin.port}`}`;
}

/** Secure-context hosts: browsers treat `http://localhost` and loopback as potentially trustworthy. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host.endsWith('.localhost') || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export { DEFAULT_PORT };
