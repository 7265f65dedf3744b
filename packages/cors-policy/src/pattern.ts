import { ConfigError, normalizeIp } from '@bulwark/core';
import { getPublicSuffix } from 'tldts';
import { DEFAULT_PORT, isDnsName, isLoopbackHost } from './origin.js';

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
  } else if (isDnsName(rawHost)) {
    host = rawHost;
  } else {
    throw new ConfigError(
      option,
      `"${rawHost}" is not a valid host; wildcards are allowed only as a whole leading label ("*.example.com")`,
    );
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
