import { type ClientIpOptions, type ClientIpResolver, clientIpResolver } from '../ip/trust-proxy.js';

/** Distinct client-IP settings an app has are few (one, usually): past this many, resolvers are not shared. */
const MAX_SHARED = 32;
const shared = new Map<string, ClientIpResolver>();

/**
 * The client-IP resolver of a guard: `clientIpResolver(options)`, but one instance for
 * equal options, so that separate `guard(...)` calls with the same settings share one view
 * of the request (and resolve its client IP once): the request context reuses a view only
 * for the resolver that built it. Options are checked as `clientIpResolver` checks them,
 * on every call (a cached resolver must not let a typo through: `{ hops: 1, hop: undefined }`
 * has the cache key of `{ hops: 1 }`); `adapterKeys` names an adapter's own keys.
 *
 * @example
 * ```ts
 * guardResolver({ trustProxy: { hops: 1 } }) === guardResolver({ trustProxy: { hops: 1 } }); // true
 * ```
 */
export function guardResolver(options: ClientIpOptions = {}, adapterKeys: readonly string[] = []): ClientIpResolver {
  // Built (so checked) first: construction cost, once per guard.
  const resolver = clientIpResolver(options, adapterKeys);
  let key: string | undefined;
  try {
    key = JSON.stringify([options.trustProxy ?? false, options.header ?? 'x-forwarded-for']);
  } catch {
    key = undefined;
  }
  const known = key === undefined ? undefined : shared.get(key);
  if (known !== undefined) return known;
  if (key !== undefined && shared.size < MAX_SHARED) shared.set(key, resolver);
  return resolver;
}
