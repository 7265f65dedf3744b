import { ConfigError, checkOptions } from '@bulwark/core';
import { forbiddenError, notFoundError } from './errors.js';
import { type AuthzEventOptions, checkEventOptions, checkName, emitDenied, type RequestWhere } from './events.js';
import type { AuthzContext, Predicate } from './predicates.js';

/** Actions mapped to the predicate that allows each; an action not listed is denied. */
export type Rules<R = unknown> = Readonly<Record<string, Predicate<R>>>;

/** Options of {@link policy}. */
export interface PolicyOptions extends AuthzEventOptions {
  /** The resource kind the rules are about (`note`), for events. */
  readonly resource?: string | undefined;
  /**
   * What `authorize` throws when denied: `forbidden` (403, the default) or `not_found`
   * (404, for rules on objects whose existence the caller must not learn; the same error as
   * `ownedBy`'s).
   */
  readonly deniedAs?: 'forbidden' | 'not_found' | undefined;
}

/** The option names {@link policy} knows. */
export const POLICY_OPTION_KEYS: readonly string[] = Object.freeze(['onEvent', 'clock', 'resource', 'deniedAs']);

/** A compiled set of rules, deny by default. */
export interface Policy<R = unknown> {
  /** The actions that have a rule. */
  readonly actions: readonly string[];
  /** Whether the rule of `context.action` allows: pure, no event. */
  can(context: AuthzContext<R>): boolean;
  /**
   * Returns when allowed; otherwise emits `authz.denied` (layer `object` when the context
   * has a resource, else `function`, with the action) and throws a `BulwarkError`
   * (`forbidden` or `not_found`, see `deniedAs`) that the adapters' error handlers answer.
   */
  authorize(context: AuthzContext<R>, where?: RequestWhere): void;
}

const ACTION = /^[\x21-\x7e]{1,100}$/;

/**
 * Evaluates `rules` for a context, deny by default: an action with no rule (including
 * `toString`, `__proto__` and other inherited names) is denied, and only a predicate's
 * `true` allows.
 *
 * @example
 * ```ts
 * can({ 'notes:read': hasScope('notes:read') }, { principal, action: 'notes:delete' }); // false: no rule
 * ```
 */
export function can<R>(rules: Rules<R>, context: AuthzContext<R>): boolean {
  if (!Object.hasOwn(rules, context.action)) return false;
  const rule = rules[context.action];
  return typeof rule === 'function' && rule(context) === true;
}

/**
 * Compiles rules (ABAC: predicates over principal, resource and action) into a policy,
 * checked once: each action a visible-ASCII name, each rule a function. Deny by default.
 *
 * @example
 * ```ts
 * import { allOf, anyOf, hasScope, isOwner, not, policy } from '@bulwark/authz';
 *
 * interface Note { ownerId: string; locked: boolean }
 * const owner = isOwner((note: Note) => note.ownerId);
 * const notes = policy<Note>(
 *   {
 *     'notes:read': anyOf(owner, hasScope('admin')),
 *     'notes:update': allOf(owner, hasScope('notes:write'), not((c) => c.resource?.locked === true)),
 *   },
 *   { resource: 'note', deniedAs: 'not_found' },
 * );
 * const note: Note = { ownerId: 'u1', locked: false }; // loaded by id
 * notes.authorize({ principal, action: 'notes:update', resource: note }); // throws not_found unless allowed
 * ```
 */
export function policy<R = unknown>(rules: Rules<R>, options: PolicyOptions = {}): Policy<R> {
  checkOptions(options, POLICY_OPTION_KEYS);
  const events = checkEventOptions(options);
  const resource = checkName(options.resource, 'resource');
  const deniedAs = options.deniedAs ?? 'forbidden';
  if (deniedAs !== 'forbidden' && deniedAs !== 'not_found') {
    throw new ConfigError('deniedAs', 'expected "forbidden" or "not_found"');
  }
  if (typeof rules !== 'object' || rules === null || Array.isArray(rules)) {
    throw new ConfigError('rules', 'expected an object mapping each action to its predicate');
  }
  const compiled: Record<string, Predicate<R>> = Object.create(null);
  for (const [action, rule] of Object.entries(rules)) {
    if (!ACTION.test(action))
      throw new ConfigError(`rules.${action}`, 'an action is 1 to 100 visible ASCII characters');
    if (typeof rule !== 'function') throw new ConfigError(`rules.${action}`, 'expected a predicate function');
    compiled[action] = rule;
  }
  const actions = Object.freeze(Object.keys(compiled));
  const denied = deniedAs === 'not_found' ? notFoundError : forbiddenError;

  const allows = (context: AuthzContext<R>): boolean => {
    const rule = compiled[context.action];
    return rule !== undefined && rule(context) === true;
  };
  return Object.freeze({
    actions,
    can: allows,
    authorize(context: AuthzContext<R>, where?: RequestWhere): void {
      if (allows(context)) return;
      emitDenied(
        events,
        {
          layer: context.resource === undefined ? 'function' : 'object',
          action: context.action,
          ...(resource === undefined ? {} : { resource }),
        },
        where,
      );
      throw denied();
    },
  });
}
