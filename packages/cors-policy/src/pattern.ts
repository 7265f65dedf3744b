import { ConfigError, normalizeIp } from '@bulwark/core';
import { getPublicSuffix } from 'tldts';
import { DEFAULT_PORT, isDnsName, isLoopbackHost } from './origin.js';
import { isValidALabel } from './punycode.js';

/**
 * One configured origin after validation. `subdomains` means `*.host` (any depth, never the
 * apex); `anyPort` means `:*`.
 */
export interface OriginPattern {
  readonly source: string;
  readonly scheme: 'http' | 'https';
  readonly host: string;
  /** '' for the default port, '*' for any port, else the digits. */
  readonly port: string;
  readonly subdomains: boolean;
}

const PATTERN = /^(https?):\/\/(\*\.)?([^/:?#]+|\[[0-9a-fA-F:.]+\])(?::(\*|\d{1,5}))?$/;

export interface PatternRules {
  readonly credentials: boolean;
  readonly allowInsecureWithCredentials: boolean;
}

/** True when `host` is a public suffix (`com`, `co.uk`, `github.io`): its wildcard is everyone. */
export function isPublicSuffix(host: string): boolean {
  return !host.includes('.') || getPublicSuffix(host, { allowPrivateDomains: true }) === host;
}

/**
 * How the WHATWG URL parser (which browsers use to build the origins they send) reads a
 * host: its serialization, or `undefined` when it refuses the host. `URL` is a global on
 * every runtime Bulwark supports; it is only called at construction.
 */
function hostAsUrlParsersRead(host: string, scheme: string): string | undefined {
  try {
    return new URL(`${scheme}://${host}`).hostname;
  } catch {
    return undefined;
  }
}

/**
 * Checks a configured DNS name, saying what to write instead when browsers would spell it
 * differently. Our own grammar decides first (it does not depend on the runtime); the URL
 * parser is then asked to agree, so no entry can name a host that browsers never send.
 */
function checkDnsHost(rawHost: string, scheme: string, subdomains: boolean, option: string): string {
  const written = (host: string) => `"${scheme}://${subdomains ? '*.' : ''}${host}"`;
  if (rawHost.endsWith('.') && isDnsName(rawHost.slice(0, -1))) {
    // Deliberate (see the docs): the dotted name is a distinct origin in browsers, so
    // normalising would allow an origin other than the one written, and accepting it is
    // almost always a name copied from DNS by someone who means the usual origin.
    throw new ConfigError(
      option,
      `"${rawHost}" ends with a dot: browsers treat that as an origin distinct from ${written(rawHost.slice(0, -1))}, which is most likely what you mean; write it without the dot (fully qualified spellings are never allowed)`,
    );
  }
  const badALabel = rawHost.split('.').find((label) => label.startsWith('xn--') && !isValidALabel(label));
  if (badALabel !== undefined) {
    throw new ConfigError(
      option,
      `"${badALabel}" is not a valid IDNA label (its Punycode does not decode to a non-ASCII name); browsers never send such a host, so it can never match`,
    );
  }
  const read = hostAsUrlParsersRead(rawHost, scheme);
  if (isDnsName(rawHost) && read === rawHost) return rawHost;
  if (read === undefined) {
    throw new ConfigError(
      option,
      `"${rawHost}" is not a host the URL standard accepts (browsers refuse it, so it can never match)`,
    );
  }
  if (normalizeIp(read) !== undefined) {
    throw new ConfigError(
      option,
      `"${rawHost}" is read by browsers as the IP address ${read}${subdomains ? '' : `; write ${written(read)}`}`,
    );
  }
  if (read !== rawHost && isDnsName(read)) {
    throw new ConfigError(option, `browsers send "${rawHost}" as "${read}"; write ${written(read)}`);
  }
  throw new ConfigError(
    option,
    `"${rawHost}" is not a valid host; wildcards are allowed only as a whole leading label ("*.example.com")`,
  );
}

/**
 * Validates one entry of `origins` and turns it into a pattern. Every refusal is a
 * ConfigError naming `origins[index]` and saying what to write instead.
 */
export function parseOriginPattern(entry: unknown, index: number, rules: PatternRules): OriginPattern {
  const option = `origins[${index}]`;
  if (typeof entry !== 'string') throw new ConfigError(option, 'expected a string');
  if (entry === 'null') {
    throw new ConfigError(
      option,
      'the "null" origin is sent by sandboxed iframes and file: pages, so any site can forge it',
    );
  }
  if (entry.endsWith('/')) throw new ConfigError(option, `an origin has no path: write "${entry.replace(/\/+$/, '')}"`);
  const match = PATTERN.exec(entry);
  if (!match) {
    throw new ConfigError(
      option,
      `"${entry}" is not an origin; expected "https://host", "https://host:port", "https://*.host" or "https://host:*" (no regexes, no paths)`,
    );
  }
  const scheme = match[1] as 'http' | 'https';
  const subdomains = match[2] !== undefined;
  const rawHost = (match[3] as string).toLowerCase();
  let port = match[4] ?? '';
  if (port !== '' && port !== '*') {
    if (!/^[1-9]\d*$/.test(port) || Number(port) > 65535)
      throw new ConfigError(option, `port "${port}" is not 1..65535`);
    if (port === DEFAULT_PORT[scheme]) port = '';
  }

  let host: string;
  if (rawHost.startsWith('[')) {
    const ip = normalizeIp(rawHost.slice(1, -1));
    if (ip === undefined || !ip.includes(':')) throw new ConfigError(option, `"${rawHost}" is not an IPv6 address`);
    host = `[${ip}]`;
  } else if (normalizeIp(rawHost) !== undefined) {
    host = normalizeIp(rawHost) as string;
  } else {
    host = checkDnsHost(rawHost, scheme, subdomains, option);
  }
  if (subdomains && !isDnsName(host))
    throw new ConfigError(option, 'a subdomain wildcard needs a DNS name, not an IP address');

  if (rules.credentials) {
    if (subdomains && isPublicSuffix(host)) {
      throw new ConfigError(
        option,
        `"*.${host}" covers every site under a public suffix; with credentials that is any origin`,
      );
    }
    if (scheme === 'http' && !isLoopbackHost(host) && !rules.allowInsecureWithCredentials) {
      throw new ConfigError(
        option,
        `"${entry}" is plain http: anyone on the network can forge it and read credentialed answers. Use https, or set dangerouslyAllowInsecureOriginsWithCredentials`,
      );
    }
  }
  return { source: entry, scheme, host, port, subdomains };
}
