import { normalizeIp } from '@bulwark/core';

/** A parsed, canonical web origin. `port` is '' for the scheme's default port. */
export interface Origin {
  readonly scheme: 'http' | 'https';
  readonly host: string;
  readonly port: string;
}

const DEFAULT_PORT = { http: '80', https: '443' } as const;
const LABEL = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/;
const MAX_ORIGIN_LENGTH = 2048;

/** True for a syntactically valid DNS name (lower-case labels, at most 253 characters). */
export function isDnsName(host: string): boolean {
  if (host.length === 0 || host.length > 253) return false;
  const labels = host.split('.');
  for (const label of labels) if (!LABEL.test(label)) return false;
  // A name whose last label is numeric would be read as an IPv4 address by URL parsers.
  return !/^\d+$/.test(labels[labels.length - 1] as string);
}

function parsePort(text: string): string | undefined {
  if (!/^[1-9]\d{0,4}$/.test(text) || Number(text) > 65535) return undefined;
  return text;
}

/**
 * Parses an `Origin` header value. Only the exact serialization browsers send is accepted
 * (lower-case scheme and host, no default port, no path, no trailing dot); anything else is
 * `undefined` and therefore never allowed. `null` and opaque origins are `undefined` too.
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
    if (asIp !== undefined ? asIp !== host : !isDnsName(host)) return undefined;
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
