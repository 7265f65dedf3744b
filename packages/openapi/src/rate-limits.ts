import { ConfigError, checkOptions, parseDuration } from '@bulwark/core';
import { underPrefix } from './paths.js';
import type { JsonObject, LimitDescription, RateLimitDescription } from './types.js';

/** One limit, checked, as an operation describes it. */
export interface Tier {
  readonly policy: string | undefined;
  readonly name: string;
  readonly limit: number;
  readonly windowSeconds: number;
  /** `ip`, `principal`, `global`, `route` or `custom` (a function). */
  readonly key: string;
  readonly paths: readonly string[] | undefined;
  /** Upper-case; `GET` also counts `HEAD`, as in `@bulwark/ratelimit`. */
  readonly methods: readonly string[] | undefined;
  readonly skipPaths: readonly string[];
}

const NAME = /^[a-z0-9_-]{1,32}$/;
const LIMIT_KEYS = ['name', 'limit', 'window', 'key', 'paths', 'methods', 'block', 'override'];
const KEYS = new Set(['ip', 'principal', 'global', 'route']);

const prefixes = (value: unknown, option: string): readonly string[] | undefined => {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((p) => typeof p !== 'string' || !p.startsWith('/')))
    throw new ConfigError(option, 'expected a list of path prefixes starting with /');
  return value as string[];
};

/** Checks the rate-limit descriptions once (as strictly as `rateLimitPolicy` does) and flattens them. */
export function compileTiers(policies: readonly RateLimitDescription[] | undefined): readonly Tier[] {
  if (policies === undefined) return [];
  if (!Array.isArray(policies)) throw new ConfigError('rateLimits', 'expected a list of rate-limit policies');
  return policies.flatMap((policy, p) => {
    const at = `rateLimits[${p}]`;
    checkOptions(policy, ['name', 'limits', 'skipPaths'], at);
    const limits: readonly LimitDescription[] = policy.limits;
    if (!Array.isArray(limits) || limits.length === 0)
      throw new ConfigError(`${at}.limits`, "expected the policy's limits");
    const skipPaths = prefixes(policy.skipPaths, `${at}.skipPaths`) ?? [];
    return limits.map((rule, i): Tier => {
      const r = `${at}.limits[${i}]`;
      checkOptions(rule, LIMIT_KEYS, r);
      if (typeof rule.name !== 'string' || !NAME.test(rule.name))
        throw new ConfigError(`${r}.name`, 'expected 1-32 characters of a-z, 0-9, _ and -');
      if (!Number.isSafeInteger(rule.limit) || rule.limit < 1)
        throw new ConfigError(`${r}.limit`, 'expected a positive integer');
      const windowMs = parseDuration(rule.window, `${r}.window`);
      if (windowMs < 1) throw new ConfigError(`${r}.window`, 'expected a positive duration');
      const key = rule.key ?? 'ip';
      if (typeof key !== 'function' && !KEYS.has(key))
        throw new ConfigError(`${r}.key`, 'expected "ip", "principal", "global", "route" or a function');
      const methods = rule.methods?.map((m: string) => m.toUpperCase());
      if (methods?.includes('GET') && !methods.includes('HEAD')) methods.push('HEAD');
      return {
        policy: policy.name,
        name: rule.name,
        limit: rule.limit,
        windowSeconds: Math.max(1, Math.ceil(windowMs / 1000)),
        key: typeof key === 'function' ? 'custom' : key,
        paths: prefixes(rule.paths, `${r}.paths`),
        methods,
        skipPaths,
      };
    });
  });
}

/**
 * The limits that count a request to this operation. A `principal` limit counts only
 * authenticated callers, so only protected routes; a custom key may count anything, so it
 * is listed wherever its paths and methods reach.
 */
export function tiersFor(tiers: readonly Tier[], method: string, template: string, protectedRoute: boolean): Tier[] {
  return tiers.filter(
    (tier) =>
      !tier.skipPaths.some((prefix) => underPrefix(template, prefix)) &&
      (tier.paths === undefined || tier.paths.some((prefix) => underPrefix(template, prefix))) &&
      (tier.methods === undefined || tier.methods.includes(method)) &&
      (tier.key !== 'principal' || protectedRoute),
  );
}

const KEY_TEXT: Readonly<Record<string, string>> = {
  ip: 'per client IP',
  principal: 'per authenticated caller (user or API key)',
  global: 'for all callers together',
  route: 'per path prefix, for all callers together',
  custom: 'per a key the application computes',
};

/** The `RateLimit-Policy` value these limits give, in order. */
export function policyField(tiers: readonly Tier[]): string {
  return tiers.map((t) => `"${t.name}";q=${t.limit};w=${t.windowSeconds}`).join(', ');
}

/** The operation's rate-limit description: a sentence for readers and `x-bulwark-rate-limits` for tools. */
export function describeTiers(tiers: readonly Tier[]): { text: string; extension: JsonObject[] } {
  const text = `Rate limits: ${tiers
    .map((t) => `\`${t.name}\` ${t.limit} per ${t.windowSeconds} s ${KEY_TEXT[t.key]}`)
    .join('; ')}. Over a limit: 429 with \`Retry-After\`; a refused request consumes nothing.`;
  const extension = tiers.map((t) => ({
    ...(t.policy === undefined ? {} : { policy: t.policy }),
    name: t.name,
    limit: t.limit,
    window: t.windowSeconds,
    key: t.key,
    ...(t.paths === undefined ? {} : { paths: [...t.paths] }),
    ...(t.methods === undefined ? {} : { methods: [...t.methods] }),
  }));
  return { text, extension };
}
