import { ConfigError, type Principal } from '@bulwark/core';
import { checkScopeList, holdsAll } from './scopes.js';

/** What an attribute predicate decides on: who asks, what for, and the object when there is one. */
export interface AuthzContext<R = unknown> {
  readonly principal: Principal;
  /** The action asked for, as the application names it (`notes:update`). */
  readonly action: string;
  /** The object acted on, once loaded; absent for an action on no object (`notes:create`). */
  readonly resource?: R | undefined;
}

/**
 * An attribute-based rule (ABAC): a plain, synchronous function of the context. Only
 * `true` allows: `undefined`, `1` or `'yes'` deny, so a predicate that forgets to return
 * denies. A predicate that throws is a bug and its error reaches the caller (a 500), never
 * an allow.
 */
export type Predicate<R = unknown> = (context: AuthzContext<R>) => boolean;

function checkPredicates<R>(name: string, predicates: readonly Predicate<R>[]): readonly Predicate<R>[] {
  if (predicates.length === 0) throw new ConfigError(name, 'expected at least one predicate');
  predicates.forEach((predicate, i) => {
    if (typeof predicate !== 'function') throw new ConfigError(`${name}[${i}]`, 'expected a predicate function');
  });
  return Object.freeze([...predicates]);
}

/**
 * Allows when every predicate allows (and stops at the first that does not).
 *
 * @example
 * ```ts
 * type Note = { ownerId: string; draft: boolean };
 * const editOwnDraft = allOf(isOwner((note: Note) => note.ownerId), (c) => c.resource?.draft === true);
 * ```
 */
export function allOf<R>(...predicates: Predicate<R>[]): Predicate<R> {
  const list = checkPredicates('allOf', predicates);
  return function allOfPredicate(context) {
    for (const predicate of list) if (predicate(context) !== true) return false;
    return true;
  };
}

/**
 * Allows when at least one predicate allows (and stops at the first that does).
 *
 * @example
 * ```ts
 * const readNote = anyOf(isOwner((note: { ownerId: string }) => note.ownerId), hasScope('admin'));
 * ```
 */
export function anyOf<R>(...predicates: Predicate<R>[]): Predicate<R> {
  const list = checkPredicates('anyOf', predicates);
  return function anyOfPredicate(context) {
    for (const predicate of list) if (predicate(context) === true) return true;
    return false;
  };
}

/**
 * Allows when `predicate` does not. Use it inside `allOf` ("owner, and not archived"):
 * alone, a negation allows everything its predicate does not name.
 *
 * @example
 * ```ts
 * const notArchived = not((c: AuthzContext<{ archived: boolean }>) => c.resource?.archived === true);
 * ```
 */
export function not<R>(predicate: Predicate<R>): Predicate<R> {
  const [inner] = checkPredicates('not', [predicate]) as [Predicate<R>];
  return function notPredicate(context) {
    return inner(context) !== true;
  };
}

/**
 * Allows a principal holding every one of `scopes` (exact, case-sensitive).
 *
 * @example
 * ```ts
 * const admin = hasScope('admin');
 * ```
 */
export function hasScope(scopes: string | readonly string[]): Predicate<unknown> {
  const required = checkScopeList(scopes, 'hasScope');
  return function hasScopePredicate(context) {
    return holdsAll(context.principal.scopes, required);
  };
}

/**
 * Allows the principal whose `subject` is the resource's owner. No resource (not loaded,
 * or an action on no object): denied. An owner that is not a non-empty string: denied.
 *
 * @example
 * ```ts
 * const owner = isOwner((note: { ownerId: string }) => note.ownerId);
 * ```
 */
export function isOwner<R>(ownerOf: (resource: R) => unknown): Predicate<R> {
  if (typeof ownerOf !== 'function') throw new ConfigError('isOwner', 'expected a function returning the owner id');
  return function isOwnerPredicate(context) {
    if (context.resource === undefined) return false;
    const owner = ownerOf(context.resource);
    return typeof owner === 'string' && owner !== '' && owner === context.principal.subject;
  };
}
