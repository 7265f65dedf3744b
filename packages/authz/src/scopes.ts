import { ConfigError } from '@bulwark/core';

/** RFC 6749 §3.3: `scope-token = 1*( %x21 / %x23-5B / %x5D-7E )`, the same rule as core's `scopePolicy`. */
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/**
 * Whether `value` is one RFC 6749 scope token (no spaces, quotes or backslashes).
 *
 * @example
 * ```ts
 * isScopeToken('notes:read'); // true
 * isScopeToken('notes:read notes:write'); // false: two tokens
 * ```
 */
export function isScopeToken(value: unknown): value is string {
  return typeof value === 'string' && SCOPE_TOKEN.test(value);
}

/**
 * A scope or a list of scopes from options, checked: each an RFC 6749 scope token, the
 * list deduplicated and frozen. `allowEmpty` for a role that only inherits.
 */
export function checkScopeList(value: unknown, at: string, allowEmpty = false): readonly string[] {
  const list = typeof value === 'string' ? [value] : Array.isArray(value) ? [...value] : undefined;
  if (list === undefined || (!allowEmpty && list.length === 0)) {
    throw new ConfigError(at, `expected a scope or ${allowEmpty ? 'a list' : 'a non-empty list'} of scopes`);
  }
  list.forEach((scope, i) => {
    if (!isScopeToken(scope)) {
      throw new ConfigError(
        typeof value === 'string' ? at : `${at}[${i}]`,
        'expected an RFC 6749 scope token (no spaces, quotes or backslashes; pass a list for several scopes)',
      );
    }
  });
  return Object.freeze([...new Set(list as string[])]);
}

/** Whether `held` has every scope of `required` (exact, case-sensitive comparison). */
export function holdsAll(held: readonly string[], required: readonly string[]): boolean {
  for (let i = 0; i < required.length; i++) if (!held.includes(required[i] as string)) return false;
  return true;
}

/**
 * The scopes of `requested` that `held` does not have, deduplicated, in the order asked:
 * empty when every requested scope may be granted. For "a key's scopes are a subset of its
 * owner's" (a 422 on `POST /v2/api-keys` when not empty) and any delegation.
 *
 * @example
 * ```ts
 * grantable(['notes:read', 'notes:write'], ['notes:read']); // []
 * grantable(['notes:read'], ['notes:read', 'admin']); // ['admin']: refuse the request
 * ```
 */
export function grantable(held: readonly string[], requested: readonly string[]): readonly string[] {
  const beyond = new Set<string>();
  for (const scope of requested) if (!held.includes(scope)) beyond.add(scope);
  return Object.freeze([...beyond]);
}
