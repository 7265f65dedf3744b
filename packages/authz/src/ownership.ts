import { ConfigError, checkOptions, type Principal } from '@bulwark/core';
import { notFoundError } from './errors.js';
import { type AuthzEventOptions, checkEventOptions, checkName, emitDenied, type RequestWhere } from './events.js';
import type { Predicate } from './predicates.js';

/** Options of {@link ownedBy}. */
export interface OwnedByOptions<R, Id = string> extends AuthzEventOptions {
  /** Loads an object by id, or `undefined` (or `null`) when there is none. Sync or async. */
  readonly load: (id: Id) => R | null | undefined | Promise<R | null | undefined>;
  /** The owner's id of an object, compared with `principal.subject`. */
  readonly owner: (resource: R) => unknown;
  /**
   * Who else may have another owner's object (an admin, a shared note): only its `true`
   * lets a foreign object through. It gets the `action` of the call (`read` by default).
   */
  readonly allow?: Predicate<R> | undefined;
  /** The resource kind (`note`), for events. */
  readonly resource?: string | undefined;
}

/** The option names {@link ownedBy} knows. */
export const OWNED_BY_OPTION_KEYS: readonly string[] = Object.freeze([
  'load',
  'owner',
  'allow',
  'resource',
  'onEvent',
  'clock',
]);

/** Per call: the action (for `allow` and the event) and where the request came from (for the event). */
export interface OwnedCallOptions {
  readonly action?: string | undefined;
  readonly where?: RequestWhere | undefined;
}

/** Loads objects for a principal: its own (or what `allow` lets through), else not found. */
export interface OwnedLoader<R, Id = string> {
  /**
   * The object when the principal may have it; otherwise (no such object, or another
   * owner's) a `BulwarkError` `not_found`, the same error for both: the adapters answer it
   * with the standard 404 problem, so a client cannot tell a foreign id from a missing one.
   */
  load(principal: Principal, id: Id, options?: OwnedCallOptions): Promise<R>;
  /** As {@link OwnedLoader.load}, answering `undefined` instead of throwing (to answer your own 404). */
  find(principal: Principal, id: Id, options?: OwnedCallOptions): Promise<R | undefined>;
}

/**
 * Object-level authorization (OWASP API1, BOLA): an object is loaded by id *for a
 * principal*, and comes back only when `owner(object) === principal.subject` (or `allow`
 * returns `true`). A missing object and another owner's object give the same answer (no
 * enumeration); only the foreign one emits `authz.denied` (layer `object`, with the
 * resource kind and the action; never the subject, the id or the object). Both cases call
 * `load` once, so the work done is the same too.
 *
 * @example
 * ```ts
 * import { hasScope, ownedBy } from '@bulwark/authz';
 *
 * declare const db: { notes: { get(id: string): Promise<{ id: string; ownerId: string } | undefined> } };
 * declare const id: string; // from the route
 * const notes = ownedBy({
 *   load: (id: string) => db.notes.get(id),
 *   owner: (note) => note.ownerId,
 *   allow: hasScope('admin'), // admins read everyone's notes
 *   resource: 'note',
 * });
 * // in a handler: throws not_found (404) for a missing note and for someone else's
 * const note = await notes.load(principal, id, { action: 'notes:read' });
 * ```
 */
export function ownedBy<R, Id = string>(options: OwnedByOptions<R, Id>): OwnedLoader<R, Id> {
  checkOptions(options, OWNED_BY_OPTION_KEYS);
  const events = checkEventOptions(options);
  const { load, owner, allow } = options;
  if (typeof load !== 'function') throw new ConfigError('load', 'expected a function (id) => object | undefined');
  if (typeof owner !== 'function') throw new ConfigError('owner', 'expected a function (object) => owner id');
  if (allow !== undefined && typeof allow !== 'function') throw new ConfigError('allow', 'expected a predicate');
  const resource = checkName(options.resource, 'resource');

  const find = async (principal: Principal, id: Id, call: OwnedCallOptions = {}): Promise<R | undefined> => {
    const found = await load(id);
    if (found === undefined || found === null) return undefined;
    const ownerId = owner(found);
    // An owner that is not a non-empty string never matches: a record without an owner is nobody's.
    if (typeof ownerId === 'string' && ownerId !== '' && ownerId === principal.subject) return found;
    const action = call.action ?? 'read';
    if (allow?.({ principal, action, resource: found }) === true) return found;
    emitDenied(events, { layer: 'object', action, ...(resource === undefined ? {} : { resource }) }, call.where);
    return undefined;
  };
  return Object.freeze({
    find,
    async load(principal: Principal, id: Id, call?: OwnedCallOptions): Promise<R> {
      const found = await find(principal, id, call);
      if (found === undefined) throw notFoundError();
      return found;
    },
  });
}
