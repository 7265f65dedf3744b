import { ConfigError } from '../errors.js';
import type { RequestPolicy } from '../policy.js';

/**
 * The policies a `guard(...)` runs, checked once when the guard is built: one policy or a
 * non-empty list of them, each with an `evaluate` function. Returns a frozen copy, so a
 * list changed after mounting changes nothing.
 *
 * @example
 * ```ts
 * const list = policyList([securityHeaders(), corsPolicy({ origins: ['https://app.example.com'] })]);
 * ```
 */
export function policyList(policies: RequestPolicy | readonly RequestPolicy[]): readonly RequestPolicy[] {
  const list = Array.isArray(policies) ? [...(policies as readonly RequestPolicy[])] : [policies as RequestPolicy];
  if (list.length === 0) throw new ConfigError('policies', 'guard([]) needs at least one policy');
  list.forEach((policy, i) => {
    if (typeof policy !== 'object' || policy === null || typeof policy.evaluate !== 'function') {
      throw new ConfigError(`policies[${i}]`, 'expected a Bulwark policy (an object with evaluate(view))');
    }
  });
  return Object.freeze(list);
}

/** A name for a guard list in logs and plugin names: `headers+cors+ratelimit`. */
export function policyListName(policies: readonly RequestPolicy[]): string {
  return policies.map((policy) => policy.name).join('+');
}
