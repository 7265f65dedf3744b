import {
  ConfigError,
  checkOptions,
  type Duration,
  type Principal,
  parseDuration,
  type RequestView,
  routeTable,
} from '@bulwark/core';
import { policyItem, stateItemPrefix } from './fields.js';

/* The limits of a rate-limit policy: their options, and what each compiles to once, at the factory. */
/**
 * What a limit counts by: the client address, the authenticated principal, one counter for
 * everyone, one counter per path prefix of the limit's `paths` (`route`, shared by all
 * clients), or a function of the request.
 */
export type LimitKey = 'ip' | 'principal' | 'global' | 'route' | ((view: RequestView) => string | undefined);

export interface LimitRule {
  /** Names the limit in `RateLimit-Policy` and in store keys: `[a-z0-9_-]`, unique per policy. */
  readonly name: string;
  readonly limit: number;
  readonly window: Duration;
  /**
   * Default `ip` (the client address after trust-proxy, IPv6 grouped by prefix). `route`
   * needs `paths`: each listed prefix is one counter, whoever calls it.
   */
  readonly key?: LimitKey | undefined;
  /**
   * Only requests under these path prefixes count (segment-aligned, matched on the
   * percent-decoded path as Fastify and Hono route it; see core's `routingPath`). Default: all.
   */
  readonly paths?: readonly string[] | undefined;
  /**
   * Only these methods count. Default: all. `GET` includes `HEAD`: every supported framework
   * answers a HEAD request with the GET handler, so a GET-only limit would otherwise let the
   * same work through unlimited.
   */
  readonly methods?: readonly string[] | undefined;
  /** Block the key this long once it exceeds the limit. Default: no block. */
  readonly block?: Duration | undefined;
  /** A different limit for some requests (for example by plan). */
  readonly override?: ((view: RequestView) => number | undefined) | undefined;
}

export interface CompiledRule {
  readonly name: string;
  /** The store scope, `<policy>:<limit>`: built once here, not per request. */
  readonly scope: string;
  readonly limit: number;
  readonly windowMs: number;
  readonly blockMs: number;
  /**
   * The limit's key for a request; `'ip'` for the client's address, which the policy
   * resolves once per request for all its `ip` limits.
   */
  readonly keyOf: ((view: RequestView) => string | undefined) | 'ip';
  readonly applies: (view: RequestView) => boolean;
  readonly override: ((view: RequestView) => number | undefined) | undefined;
  /** This limit's `RateLimit-Policy` item at its configured limit: a constant, built once. */
  readonly policyItem: string;
  /** The constant start of its `RateLimit` item, `"name";r=`. */
  readonly statePrefix: string;
}

export const NAME = /^[a-z0-9_-]{1,32}$/;

export function positiveInteger(value: unknown, option: string, max: number): number {
  if (!Number.isSafeInteger(value) || (value as number) < 1 || (value as number) > max) {
    throw new ConfigError(option, `expected an integer from 1 to ${max}`);
  }
  return value as number;
}

const RULE_KEYS = ['name', 'limit', 'window', 'key', 'paths', 'methods', 'block', 'override'];

/**
 * The counter of `key: 'principal'`: a user's (or service's) subject, prefixed by its kind of
 * source so that no subject can name another's counter; an API key counts on its own id,
 * not its owner's (each key has its own budget, so one leaked or busy key cannot spend its
 * owner's other keys' requests).
 */
export function principalKey(view: RequestView): string | undefined {
  const principal = view.principal;
  if (principal === undefined) return undefined;
  const known = principalKeys.get(principal);
  if (known !== undefined) return known;
  const { source } = principal;
  const key = source.kind === 'api_key' ? `key:${source.keyId}` : `sub:${principal.subject}`;
  // Only a frozen principal can be remembered: a mutable one could name another subject later.
  if (Object.isFrozen(principal) && Object.isFrozen(source)) principalKeys.set(principal, key);
  return key;
}

/**
 * The key of each frozen principal seen (the JWT and API-key authenticators hand out one
 * frozen principal per cached credential, the same object on every hit): one string object
 * per principal, so the store's map finds it by a hash the engine already holds, where a
 * key built per request is a fresh string hashed again on every lookup. Weak: a principal
 * no cache holds any more takes its key with it.
 */
const principalKeys = new WeakMap<Principal, string>();

export function compileRule(rule: LimitRule, index: number, policy: string): CompiledRule {
  const at = `limits[${index}]`;
  checkOptions(rule, RULE_KEYS, at);
  if (typeof rule.name !== 'string' || !NAME.test(rule.name))
    throw new ConfigError(`${at}.name`, 'expected 1-32 characters of a-z, 0-9, _ and -');
  const limit = positiveInteger(rule.limit, `${at}.limit`, 1_000_000);
  const windowMs = parseDuration(rule.window, `${at}.window`);
  // Integer state in every store: limit x window stays far below 2^53 and 1e14.
  if (windowMs < 1 || windowMs > 86_400_000 * 7) throw new ConfigError(`${at}.window`, 'expected 1 ms to 7 days');
  if (limit * windowMs > 1e13) throw new ConfigError(`${at}.limit`, 'limit x window (ms) must stay under 1e13');
  const blockMs = rule.block === undefined ? 0 : parseDuration(rule.block, `${at}.block`);
  const key = rule.key ?? 'ip';
  if (rule.paths !== undefined && !Array.isArray(rule.paths))
    throw new ConfigError(`${at}.paths`, 'expected a list of path prefixes');
  // The listed prefix a request falls under, as configured, or undefined: both whether the
  // limit applies and, for `route`, its counter.
  const prefixOf =
    rule.paths === undefined
      ? undefined
      : routeTable<string | undefined>(
          rule.paths.map((prefix) => ({ prefix, value: prefix })),
          undefined,
          `${at}.paths`,
        );
  let keyOf: CompiledRule['keyOf'];
  if (key === 'ip') keyOf = 'ip';
  else if (key === 'principal') keyOf = principalKey;
  else if (key === 'global') keyOf = () => '*';
  else if (key === 'route') {
    // Keyed by the raw path, a client could open a fresh counter per URL (`/v2/notes/1`,
    // `/v2/notes/2`...): the configured prefixes bound the counters.
    if (prefixOf === undefined)
      throw new ConfigError(`${at}.key`, '"route" counts per path prefix: list the prefixes in paths');
    keyOf = (view) => prefixOf(view.path);
  } else if (typeof key === 'function') keyOf = key;
  else throw new ConfigError(`${at}.key`, 'expected "ip", "principal", "global", "route" or a function');
  const inPaths = prefixOf === undefined ? () => true : (path: string) => prefixOf(path) !== undefined;
  const methods = rule.methods?.map((m) => m.toUpperCase());
  // Express, Fastify, Koa's router and Hono all serve HEAD with the GET handler.
  if (methods?.includes('GET') && !methods.includes('HEAD')) methods.push('HEAD');
  return {
    name: rule.name,
    scope: `${policy}:${rule.name}`,
    limit,
    windowMs,
    blockMs,
    keyOf,
    applies: (view) => inPaths(view.path) && (methods === undefined || methods.includes(view.method)),
    override: rule.override,
    policyItem: policyItem(rule.name, limit, windowMs),
    statePrefix: stateItemPrefix(rule.name),
  };
}
