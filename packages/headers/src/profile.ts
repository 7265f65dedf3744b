import {
  type AllowDecision,
  ConfigError,
  checkOptions,
  type HeaderList,
  type RequestPolicy,
  routeTable,
} from '@bulwark/core';
import { directiveList, flag, oneOf } from './validate.js';

export interface HstsOptions {
  /** Seconds. Default 31536000 (one year). */
  readonly maxAge?: number | undefined;
  /** Default true. */
  readonly includeSubDomains?: boolean | undefined;
  /** Ask for the browsers' preload list. Requires maxAge >= one year and includeSubDomains. Default false. */
  readonly preload?: boolean | undefined;
}

export interface SecurityHeadersOptions {
  /** `Strict-Transport-Security`; `false` to leave it to your proxy. */
  readonly hsts?: HstsOptions | false | undefined;
  /** Default `default-src 'none'; frame-ancestors 'none'`: an API serves no active content. */
  readonly contentSecurityPolicy?: string | false | undefined;
  /** `X-Frame-Options`, for browsers without `frame-ancestors`. Default `DENY`. */
  readonly frameOptions?: 'DENY' | 'SAMEORIGIN' | false | undefined;
  /** Default `no-referrer`. */
  readonly referrerPolicy?: ReferrerPolicyValue | false | undefined;
  /** Default `same-origin`. Use `cross-origin` for public assets fetched by other sites. */
  readonly crossOriginResourcePolicy?: 'same-origin' | 'same-site' | 'cross-origin' | false | undefined;
  /** `X-Content-Type-Options: nosniff`. Default true. */
  readonly noSniff?: boolean | undefined;
  /** `Cache-Control` for API answers. Default `no-store` (answers may be personal). */
  readonly cacheControl?: string | false | undefined;
  /** Per-route `Cache-Control` (longest prefix wins); `false` sends none on that route. */
  readonly cacheControlRoutes?: readonly { readonly prefix: string; readonly value: string | false }[] | undefined;
  /** Headers to strip from every answer. Default `['x-powered-by']`. */
  readonly removeHeaders?: readonly string[] | undefined;
}

export type ReferrerPolicyValue =
  | 'no-referrer'
  | 'no-referrer-when-downgrade'
  | 'origin'
  | 'origin-when-cross-origin'
  | 'same-origin'
  | 'strict-origin'
  | 'strict-origin-when-cross-origin'
  | 'unsafe-url';

const REFERRER_POLICIES: readonly ReferrerPolicyValue[] = [
  'no-referrer',
  'no-referrer-when-downgrade',
  'origin',
  'origin-when-cross-origin',
  'same-origin',
  'strict-origin',
  'strict-origin-when-cross-origin',
  'unsafe-url',
];
const ONE_YEAR = 31_536_000;
const KNOWN = [
  'hsts',
  'contentSecurityPolicy',
  'frameOptions',
  'referrerPolicy',
  'crossOriginResourcePolicy',
  'noSniff',
  'cacheControl',
  'cacheControlRoutes',
  'removeHeaders',
];

/** The compiled header profile. */
export interface SecurityHeadersPolicy extends RequestPolicy {
  evaluate(view: { readonly path: string }): AllowDecision;
  /** The headers sent on a path, for documentation and tests. */
  headersFor(path: string): HeaderList;
}

function hstsValue(options: HstsOptions | false | undefined): string | undefined {
  if (options === false) return undefined;
  const hsts = options ?? {};
  if (typeof hsts !== 'object' || hsts === null) throw new ConfigError('hsts', 'expected an object or false');
  checkOptions(hsts, ['maxAge', 'includeSubDomains', 'preload'], 'hsts');
  const maxAge = hsts.maxAge ?? ONE_YEAR;
  if (!Number.isSafeInteger(maxAge) || maxAge < 0) throw new ConfigError('hsts.maxAge', 'expected whole seconds >= 0');
  const includeSubDomains = flag(hsts.includeSubDomains, 'hsts.includeSubDomains', true);
  const preload = flag(hsts.preload, 'hsts.preload', false);
  if (preload && maxAge < ONE_YEAR) {
    throw new ConfigError('hsts.preload', `preload requires maxAge of at least ${ONE_YEAR} seconds (one year)`);
  }
  if (preload && !includeSubDomains) throw new ConfigError('hsts.preload', 'preload requires includeSubDomains');
  return `max-age=${maxAge}${includeSubDomains ? '; includeSubDomains' : ''}${preload ? '; preload' : ''}`;
}

function optional<T>(value: T | false | undefined, fallback: T, check: (v: unknown) => string): string | undefined {
  if (value === false) return undefined;
  return check(value === undefined ? fallback : value);
}

/**
 * Compiles the API header profile. It applies to every answer, errors and 404s included,
 * and every override is validated here.
 *
 * @example
 * ```ts
 * const headers = securityHeaders({
 *   hsts: { maxAge: 63072000, preload: true },
 *   cacheControlRoutes: [{ prefix: '/public', value: 'public, max-age=300' }],
 * });
 * import { guard } from '@bulwark/express'; // or @bulwark/koa, @bulwark/hono; app.register(guard(headers)) in Fastify
 * app.use(guard(headers));
 * ```
 */
export function securityHeaders(options: SecurityHeadersOptions = {}): SecurityHeadersPolicy {
  checkOptions(options, KNOWN);
  const base: Array<readonly [string, string]> = [];
  const add = (name: string, value: string | undefined) => {
    if (value !== undefined) base.push([name, value]);
  };
  add('strict-transport-security', hstsValue(options.hsts));
  if (flag(options.noSniff, 'noSniff', true)) add('x-content-type-options', 'nosniff');
  add(
    'content-security-policy',
    optional(options.contentSecurityPolicy, "default-src 'none'; frame-ancestors 'none'", (v) =>
      directiveList(v, ';', 'contentSecurityPolicy'),
    ),
  );
  add(
    'x-frame-options',
    optional(options.frameOptions, 'DENY', (v) => oneOf(v, ['DENY', 'SAMEORIGIN'], 'frameOptions')),
  );
  add(
    'referrer-policy',
    optional(options.referrerPolicy, 'no-referrer', (v) => oneOf(v, REFERRER_POLICIES, 'referrerPolicy')),
  );
  add(
    'cross-origin-resource-policy',
    optional(options.crossOriginResourcePolicy, 'same-origin', (v) =>
      oneOf(v, ['same-origin', 'same-site', 'cross-origin'], 'crossOriginResourcePolicy'),
    ),
  );

  const removeHeaders = (options.removeHeaders ?? ['x-powered-by']).map((name, index) => {
    if (typeof name !== 'string' || !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name)) {
      throw new ConfigError(`removeHeaders[${index}]`, 'expected a header name');
    }
    return name.toLowerCase();
  });

  const withCache = (value: string | false | undefined, option: string): AllowDecision => {
    const cache = value === false || value === undefined ? undefined : directiveList(value, ',', option);
    const headers: HeaderList = Object.freeze(
      cache === undefined ? [...base] : [...base, ['cache-control', cache] as const],
    );
    return Object.freeze({ kind: 'allow', headers, removeHeaders }) as AllowDecision;
  };
  const fallback = withCache(options.cacheControl === undefined ? 'no-store' : options.cacheControl, 'cacheControl');
  const routes = (options.cacheControlRoutes ?? []).map((rule, index) => {
    checkOptions(rule, ['prefix', 'value'], `cacheControlRoutes[${index}]`);
    return {
      prefix: rule.prefix,
      value: withCache(rule.value, `cacheControlRoutes[${index}].value`),
    };
  });
  const decisionFor = routeTable(routes, fallback, 'cacheControlRoutes');

  return {
    name: 'security-headers',
    evaluate: (view) => decisionFor(view.path),
    headersFor: (path) => decisionFor(path).headers,
  };
}
