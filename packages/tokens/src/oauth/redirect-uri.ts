import { ConfigError } from '@bulwark/core';

/** Response parameters the server adds to a redirect: a registered URI may not already carry them. */
const RESPONSE_PARAMS = ['code', 'state', 'iss', 'error', 'error_description', 'error_uri'];
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** True for a host a browser or native app reaches on this machine only (RFC 8252 §7.3). */
export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname);
}

/**
 * Checks a redirect URI at registration (RFC 6749 §3.1.2, RFC 9700 §2.1 and §4.1): an
 * absolute URI in the canonical form of the WHATWG URL parser (what a client library
 * sends is then the same string, compared exactly), no fragment, no userinfo, `https`
 * (`http` only for a loopback host, RFC 8252 §7.3; a private-use scheme with a dot, RFC
 * 8252 §7.1, for native apps), and none of the response parameters in its query.
 */
export function checkRedirectUri(uri: unknown, option: string): string {
  if (typeof uri !== 'string' || uri.length === 0 || uri.length > 2048) {
    throw new ConfigError(option, 'expected an absolute URI of at most 2048 characters');
  }
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new ConfigError(option, 'expected an absolute URI');
  }
  if (url.href !== uri) {
    throw new ConfigError(option, `register the canonical form "${url.href.slice(0, 200)}" (it is compared exactly)`);
  }
  if (url.hash !== '' || uri.includes('#')) throw new ConfigError(option, 'a redirect URI has no fragment');
  if (url.username !== '' || url.password !== '') throw new ConfigError(option, 'a redirect URI has no userinfo');
  const scheme = url.protocol.slice(0, -1);
  if (scheme === 'http') {
    if (!isLoopbackHost(url.hostname)) throw new ConfigError(option, 'http is for loopback hosts only: use https');
  } else if (scheme !== 'https' && !scheme.includes('.')) {
    throw new ConfigError(
      option,
      'expected https, http on a loopback host, or a private-use scheme such as com.example.app',
    );
  }
  for (const name of url.searchParams.keys()) {
    if (RESPONSE_PARAMS.includes(name)) {
      throw new ConfigError(option, `the query may not hold "${name}": the server adds it to the redirect`);
    }
  }
  return uri;
}

/**
 * The registered URI with `params` appended to its query. The existing query is kept as
 * it is, byte for byte (URLSearchParams would re-encode it), and the new values are
 * form-encoded by URLSearchParams.
 */
export function redirectTo(registered: string, params: ReadonlyArray<readonly [string, string]>): string {
  const url = new URL(registered);
  const added = new URLSearchParams(params as Array<[string, string]>).toString();
  const existing = url.search.slice(1);
  url.search = existing === '' ? added : `${existing}&${added}`;
  return url.href;
}
