import type { Origin } from './origin.js';
import type { OriginPattern } from './pattern.js';

/** How an origin matched, for `explain`. */
export type OriginMatch = { readonly pattern: string } | undefined;

/**
 * An origin allowlist compiled to hash lookups. A lookup costs one probe for exact origins
 * and one per dot in the request's host for wildcards: it does not grow with the number of
 * configured origins.
 */
export function compileOriginMatcher(patterns: readonly OriginPattern[]): (origin: Origin) => OriginMatch {
  const exact = new Map<string, string>();
  const anyPort = new Map<string, string>();
  const subdomain = new Map<string, string>();
  for (const p of patterns) {
    const base = `${p.scheme}://${p.host}`;
    if (p.subdomains) subdomain.set(`${base}:${p.port}`, p.source);
    else if (p.port === '*') anyPort.set(base, p.source);
    else exact.set(`${base}:${p.port}`, p.source);
  }
  const hasSubdomains = subdomain.size > 0;
  const hasAnyPort = anyPort.size > 0;

  return function matchOrigin(origin) {
    const base = `${origin.scheme}://${origin.host}`;
    const hit = exact.get(`${base}:${origin.port}`) ?? (hasAnyPort ? anyPort.get(base) : undefined);
    if (hit !== undefined) return { pattern: hit };
    if (!hasSubdomains || origin.host.startsWith('[')) return undefined;
    const host = origin.host;
    const prefix = `${origin.scheme}://`;
    for (let dot = host.indexOf('.'); dot !== -1; dot = host.indexOf('.', dot + 1)) {
      const parent = prefix + host.slice(dot + 1);
      const found = subdomain.get(`${parent}:${origin.port}`) ?? subdomain.get(`${parent}:*`);
      if (found !== undefined) return { pattern: found };
    }
    return undefined;
  };
}
