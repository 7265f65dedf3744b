import { ConfigError } from '@bulwark/core';

/** A route path as OpenAPI writes it, and the names of its path parameters in order. */
export interface PathTemplate {
  readonly template: string;
  readonly params: readonly string[];
}

const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Characters a literal segment may hold (RFC 3986 pchar, without `%`-escapes and `:`). */
const LITERAL = /^[A-Za-z0-9\-._~!$&'()*+,;=@]*$/;

/**
 * Converts an Express-style path (`/v2/notes/:id`) or an OpenAPI one (`/v2/notes/{id}`) to
 * the OpenAPI template. Whole segments only: a parameter inside a segment, an optional
 * (`:id?`), a pattern (`:id(\\d+)`) or a wildcard (`*`) has no OpenAPI form, so it is
 * refused rather than documented as something the router does not match.
 *
 * @example
 * ```ts
 * pathTemplate('/v2/notes/:id', 'routes[0].path'); // { template: '/v2/notes/{id}', params: ['id'] }
 * ```
 */
export function pathTemplate(path: string, option: string): PathTemplate {
  if (typeof path !== 'string' || !path.startsWith('/'))
    throw new ConfigError(option, 'expected a path starting with /');
  if (path.length > 1 && path.endsWith('/')) throw new ConfigError(option, 'a trailing / is not a separate route');
  const params: string[] = [];
  const segments = path
    .slice(1)
    .split('/')
    .map((segment) => {
      const name = segment.startsWith(':')
        ? segment.slice(1)
        : segment.startsWith('{') && segment.endsWith('}')
          ? segment.slice(1, -1)
          : undefined;
      if (name === undefined) {
        if (!LITERAL.test(segment) || segment.includes('*'))
          throw new ConfigError(option, `segment "${segment}" is neither a literal nor a whole parameter`);
        if (path !== '/' && segment === '') throw new ConfigError(option, 'empty segment (//)');
        return segment;
      }
      if (!PARAM_NAME.test(name))
        throw new ConfigError(
          option,
          `parameter "${segment}": only plain names (no ?, *, patterns) have an OpenAPI form`,
        );
      if (params.includes(name)) throw new ConfigError(option, `parameter "${name}" appears twice`);
      params.push(name);
      return `{${name}}`;
    });
  return { template: `/${segments.join('/')}`, params };
}

/** True when `template` is `prefix` or below it, segment-aligned (`/v2` covers `/v2/notes`, not `/v2x`). */
export function underPrefix(template: string, prefix: string): boolean {
  // Lower-case: the policies match on core's routing path, which is lower-cased.
  const lower = prefix.toLowerCase();
  const base = lower.length > 1 && lower.endsWith('/') ? lower.slice(0, -1) : lower;
  if (base === '/' || base === '') return true;
  const path = template.toLowerCase();
  return path === base || path.startsWith(`${base}/`);
}
