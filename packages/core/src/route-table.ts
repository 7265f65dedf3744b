import { ConfigError } from './errors.js';
import { checkOptions } from './options.js';

/** A value that applies to every path under `prefix` (`/v1` covers `/v1` and `/v1/...`, not `/v10`). */
export interface RouteRule<T> {
  readonly prefix: string;
  readonly value: T;
}

/**
 * The form of a path that rules are matched against: percent-encoding decoded, runs of
 * slashes merged (Fastify's `ignoreDuplicateSlashes` routes `//v2//reports` as
 * `/v2/reports`), then lower-cased. Fastify's router (find-my-way) and Hono decode a path before routing, so
 * `/v2/%72eports` and `/%762/reports` reach the `/v2/reports` handler there; matching the
 * raw path would let such a spelling escape a per-route rule (a rate limit, for one).
 * Express and Koa's router route the raw path and answer 404 to those spellings; matching
 * the decoded form then applies a rule to a path no handler serves, which costs nothing.
 * Neither step moves a path out from under a prefix it has raw, so this only widens. Dot
 * segments are left alone on purpose: resolving `/v2/reports/../x` to `/v2/x` would take
 * it out from under `/v2/reports`, where a router that does not resolve them (Fastify,
 * Express, Koa) can serve it from a wildcard route.
 * Malformed encodings (invalid UTF-8) keep their non-ASCII escapes and decode the rest.
 *
 * @example
 * ```ts
 * routingPath('/%762/Reports') // '/v2/reports'
 * ```
 */
export function routingPath(path: string): string {
  let decoded = path;
  if (path.includes('%')) {
    try {
      decoded = decodeURIComponent(path);
    } catch {
      decoded = path.replace(ASCII_ESCAPE, decodeAsciiEscape);
    }
  }
  if (decoded.includes('//')) decoded = decoded.replace(SLASHES, '/');
  return decoded.toLowerCase();
}

const SLASHES = /\/{2,}/g;

const ASCII_ESCAPE = /%[0-7][0-9a-f]/gi;
const decodeAsciiEscape = (sequence: string): string => String.fromCharCode(Number.parseInt(sequence.slice(1), 16));

/**
 * Compiles per-route rules into a lookup: the longest matching prefix wins, `fallback`
 * applies elsewhere. Matching ignores ASCII case because several routers (Express, Koa's
 * router) route case-insensitively, and decodes percent-encoding because others (Fastify,
 * Hono) route the decoded path: a policy must not miss a route its router serves (see
 * {@link routingPath}). A prefix ends at `/`, `;` or the end of the path: Fastify's
 * `useSemicolonDelimiter` routes `/v2/reports;x` as `/v2/reports`.
 *
 * @example
 * ```ts
 * const cacheFor = routeTable([{ prefix: '/public', value: 'max-age=60' }], 'no-store', 'cacheControl.routes');
 * cacheFor('/public/logo') // 'max-age=60'
 * ```
 */
export function routeTable<T>(rules: readonly RouteRule<T>[], fallback: T, option: string): (path: string) => T {
  if (!Array.isArray(rules)) throw new ConfigError(option, 'expected a list of { prefix, value } rules');
  const compiled = rules.map((rule, index) => {
    checkOptions(rule, ['prefix', 'value'], `${option}[${index}]`);
    const prefix = rule.prefix;
    if (typeof prefix !== 'string' || !prefix.startsWith('/') || /[?#\s]/.test(prefix)) {
      throw new ConfigError(
        `${option}[${index}].prefix`,
        'expected a path starting with "/" without query or fragment',
      );
    }
    let normal = routingPath(prefix);
    while (normal.length > 1 && normal.endsWith('/')) normal = normal.slice(0, -1);
    return { prefix: normal, value: rule.value };
  });
  compiled.sort((a, b) => b.prefix.length - a.prefix.length);
  if (compiled.length === 0) return () => fallback;

  return function lookupRoute(path) {
    const lower = routingPath(path);
    for (const rule of compiled) {
      if (rule.prefix === '/') return rule.value;
      if (lower.startsWith(rule.prefix)) {
        const next = lower.charCodeAt(rule.prefix.length);
        if (Number.isNaN(next) || next === 0x2f || next === 0x3b) return rule.value;
      }
    }
    return fallback;
  };
}
