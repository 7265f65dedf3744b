import { ConfigError, isSafeHeaderValue, isToken } from '@bulwark/core';

/** A header value that cannot inject another header or smuggle control characters. */
export function headerValue(value: unknown, option: string): string {
  if (typeof value !== 'string' || value === '' || !isSafeHeaderValue(value)) {
    throw new ConfigError(
      option,
      'expected a non-empty header value of visible ASCII characters (no CR, LF or control characters)',
    );
  }
  return value;
}

/** One of a fixed set of values. */
export function oneOf<T extends string>(value: unknown, allowed: readonly T[], option: string): T {
  if (typeof value !== 'string' || !allowed.includes(value as T)) {
    throw new ConfigError(option, `expected one of ${allowed.map((v) => `"${v}"`).join(', ')}`);
  }
  return value as T;
}

/** A `;`-separated directive list (CSP) or `,`-separated list (Cache-Control) of `token[=value]`. */
export function directiveList(value: unknown, separator: ';' | ',', option: string): string {
  const text = headerValue(value, option);
  for (const part of text.split(separator)) {
    const name = part.trim().split(/[ =]/, 1)[0] ?? '';
    if (!isToken(name)) throw new ConfigError(option, `"${part.trim()}" does not start with a directive name`);
  }
  return text;
}

/** A boolean option with a default. */
export function flag(value: unknown, option: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new ConfigError(option, 'expected true or false');
  return value;
}

/** A URL for a `Link` header: absolute http(s) or an absolute path. */
export function linkTarget(value: unknown, option: string): string {
  if (typeof value !== 'string' || !isSafeHeaderValue(value) || /[\s<>"]/.test(value)) {
    throw new ConfigError(option, 'expected a URL without spaces, quotes or angle brackets');
  }
  if (value.startsWith('/') && !value.startsWith('//')) return value;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(option, 'expected an absolute http(s) URL or a path starting with "/"');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigError(option, 'expected an http(s) URL');
  return value;
}

/** A point in time: a Date or an ISO 8601 string with a time zone. Returns epoch ms. */
export function instant(value: unknown, option: string): number {
  let ms = Number.NaN;
  if (value instanceof Date) ms = value.getTime();
  else if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2}))?$/.test(value))
    ms = Date.parse(value);
  if (!Number.isFinite(ms))
    throw new ConfigError(option, 'expected a Date or an ISO 8601 date such as "2027-06-30T00:00:00Z"');
  return ms;
}
