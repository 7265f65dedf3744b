import { CLIENT_IP_OPTION_KEYS } from '../ip/trust-proxy.js';
import { checkOptions } from '../options.js';

/**
 * Splits the options of an adapter's `authenticate(...)` or `requireScopes(...)` into the
 * policy's and the guard's (client IP, plus `adapterKeys` such as Hono's
 * `getPeerAddress`), after refusing unknown keys against both at once, so a typo is named
 * with the whole list in view. One place, so the four adapters split the same way.
 *
 * @example
 * ```ts
 * const { policy, guard } = splitGuardOptions({ realm: 'notes-api', trustProxy: { hops: 1 } }, AUTHENTICATION_OPTION_KEYS);
 * // policy: { realm: 'notes-api' }, guard: { trustProxy: { hops: 1 } }
 * ```
 */
export function splitGuardOptions<T extends object>(
  options: T,
  policyKeys: readonly string[],
  adapterKeys: readonly string[] = [],
): { readonly policy: Partial<T>; readonly guard: Partial<T> } {
  const guardKeys = [...CLIENT_IP_OPTION_KEYS, ...adapterKeys];
  checkOptions(options, [...policyKeys, ...guardKeys]);
  const policy: Record<string, unknown> = {};
  const guard: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if (policyKeys.includes(key)) policy[key] = value;
    else guard[key] = value;
  }
  return { policy: policy as Partial<T>, guard: guard as Partial<T> };
}
