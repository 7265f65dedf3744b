import { ConfigError } from './errors.js';

/** A value that applies to every path under `prefix` (`/v1` covers `/v1` and `/v1/...`, not `/v10`). */
export interface RouteRule<T> {
  readonly prefix: string;
  readonly value: T;
}

/**
 * Compiles per-route rules into a lookup: the longest matching prefix wins, `fallback`
 * applies elsewhere. Matching ignores ASCII case because several routers (Express, Koa's
 * router) route case-insensitively, and a policy must not miss a route its router serves.
 *
 * @example
 * ```ts
 * const cacheFor = routeTable([{ prefix: '/public', value: 'max-age=60' }], 'no-store', 'cacheControl.routes');
 * cacheFor('/public/logo') // 'max-age=60'
 * ```
 */
export function routeTable<T>(rules: readonly RouteRule<T>[], fallback: T, option: string): (path: string) => T {
  const compiled = rules.map((rule, index) => {
    const prefix = rule.prefix;
    if (typeof prefix !== 'string' || !prefix.startsWith('/') || /[?#\s]/.test(prefix)) {
      throw new ConfigError(
        `${option}[${index}].prefix`,
        'expected a path starting with "/" without query or fragment',
      );
    }
    const normal = prefix.length > 1 && prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
    return { prefix: normal.toLowerCase(), value: rule.value };
  });
  compiled.sort((a, b) => b.prefix.length - a.prefix.length);
  if (compiled.length === 0) return () => fallback;

  return function lookupRoute(path) {
    const lower = path.toLowerCase();
    for (const rule of compiled) {
      if (rule.prefix === '/') return rule.value;
      if (lower.startsWith(rule.prefix)) {
        const next = lower.charCodeAt(rule.prefix.length);
        if (Number.isNaN(next) || next === 0x2f) return rule.value;
      }
    }
    return fallback;
  };
}
