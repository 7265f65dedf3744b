import { BulwarkError, ConfigError, checkOptions } from '@bulwark/core';
import { checkScopeList } from './scopes.js';

/** A role: its own scopes, or its scopes and the roles whose scopes it also has. */
export type RoleDefinition =
  | readonly string[]
  | {
      /** Roles whose scopes this role has too (transitively). */
      readonly inherits?: readonly string[] | undefined;
      /** This role's own scopes. */
      readonly scopes?: readonly string[] | undefined;
    };

/** The option names of a role's object form. */
export const ROLE_OPTION_KEYS: readonly string[] = Object.freeze(['inherits', 'scopes']);

/** Roles mapped to scopes, resolved (inheritance flattened) once, at construction. */
export interface Roles<R extends string = string> {
  /** Every role name, in definition order. */
  readonly names: readonly R[];
  /** Whether `role` is one of the defined roles (own names only: `toString` is not a role). */
  has(role: unknown): role is R;
  /**
   * The scopes of a role (its own, then its inherited ones, without duplicates), or the
   * union for several roles. An unknown role is a `BulwarkError` `invalid_argument`: a role
   * stored with a user that the map does not know is a bug to see, not a user without
   * rights to guess.
   */
  scopesFor(role: R | (string & {}) | readonly (R | (string & {}))[]): readonly string[];
}

/** A role name: 1 to 64 visible ASCII characters (no spaces), so it fits in logs and claims. */
const ROLE_NAME = /^[\x21-\x7e]{1,64}$/;

function ownScopes(definition: unknown, role: string): { scopes: readonly string[]; inherits: readonly string[] } {
  if (Array.isArray(definition)) return { scopes: checkScopeList(definition, role, true), inherits: [] };
  if (typeof definition !== 'object' || definition === null) {
    throw new ConfigError(role, 'expected a list of scopes or { inherits?, scopes? }');
  }
  checkOptions(definition, ROLE_OPTION_KEYS, role);
  const { inherits, scopes } = definition as { inherits?: unknown; scopes?: unknown };
  const own = scopes === undefined ? [] : checkScopeList(scopes, `${role}.scopes`, true);
  if (inherits !== undefined && !Array.isArray(inherits)) {
    throw new ConfigError(`${role}.inherits`, 'expected a list of role names');
  }
  return { scopes: own, inherits: (inherits ?? []) as readonly string[] };
}

/**
 * Roles mapped to scopes in one place: the function-level authorization of an API (OWASP
 * API5) is then `scopePolicy(...)` on each route and `roles.scopesFor(user.role)` when a
 * token or a key is issued. Checked at construction: an empty or spaced role name, a scope
 * that is no RFC 6749 scope token, an inherited role that is not defined, and a cycle of
 * inheritance are each a `ConfigError` naming the role. `__proto__` and friends are plain
 * names here, never prototype lookups.
 *
 * @example
 * ```ts
 * import { roles } from '@bulwark/authz';
 *
 * const demoRoles = roles({
 *   viewer: ['notes:read'],
 *   user: { inherits: ['viewer'], scopes: ['notes:write', 'reports:write', 'keys:manage'] },
 *   admin: { inherits: ['user'], scopes: ['users:read', 'admin'] },
 * });
 * demoRoles.scopesFor('admin'); // ['notes:read', 'notes:write', 'reports:write', 'keys:manage', 'users:read', 'admin']
 * ```
 */
export function roles<const D extends Readonly<Record<string, RoleDefinition>>>(
  definitions: D,
): Roles<Extract<keyof D, string>> {
  type R = Extract<keyof D, string>;
  if (typeof definitions !== 'object' || definitions === null || Array.isArray(definitions)) {
    throw new ConfigError('roles', 'expected an object mapping each role name to its scopes');
  }
  const names = Object.keys(definitions) as R[];
  if (names.length === 0) throw new ConfigError('roles', 'expected at least one role');
  const declared = new Map<string, { scopes: readonly string[]; inherits: readonly string[] }>();
  for (const name of names) {
    if (!ROLE_NAME.test(name)) {
      throw new ConfigError(name === '' ? '""' : name, 'a role name is 1 to 64 visible ASCII characters, no spaces');
    }
    const own = ownScopes((definitions as Record<string, unknown>)[name], name);
    own.inherits.forEach((parent, i) => {
      if (typeof parent !== 'string' || !Object.hasOwn(definitions, parent)) {
        throw new ConfigError(`${name}.inherits[${i}]`, `inherits a role that is not defined (${String(parent)})`);
      }
    });
    declared.set(name, own);
  }

  const resolved = new Map<string, readonly string[]>();
  const resolve = (name: string, path: readonly string[]): readonly string[] => {
    const done = resolved.get(name);
    if (done !== undefined) return done;
    if (path.includes(name)) {
      const cycle = [...path.slice(path.indexOf(name)), name].join(' -> ');
      throw new ConfigError(`${path[path.length - 1]}.inherits`, `inheritance cycle: ${cycle}`);
    }
    const own = declared.get(name) as { scopes: readonly string[]; inherits: readonly string[] };
    // The inherited scopes first, then the role's own: an admin is "the user scopes plus ...".
    const all = new Set<string>();
    for (const parent of own.inherits) for (const scope of resolve(parent, [...path, name])) all.add(scope);
    for (const scope of own.scopes) all.add(scope);
    const scopes = Object.freeze([...all]);
    resolved.set(name, scopes);
    return scopes;
  };
  for (const name of names) resolve(name, []);

  const frozenNames = Object.freeze([...names]);
  const has = (role: unknown): role is R => typeof role === 'string' && resolved.has(role);
  const scopesOf = (role: unknown): readonly string[] => {
    if (!has(role)) throw new BulwarkError('invalid_argument', 'scopesFor: not a defined role');
    return resolved.get(role) as readonly string[];
  };
  return Object.freeze({
    names: frozenNames,
    has,
    scopesFor(role: string | readonly string[]): readonly string[] {
      if (!Array.isArray(role)) return scopesOf(role);
      const all = new Set<string>();
      for (const one of role as readonly string[]) for (const scope of scopesOf(one)) all.add(scope);
      return Object.freeze([...all]);
    },
  });
}
