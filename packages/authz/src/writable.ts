import { ConfigError, checkOptions, type DenyDecision, deny, type Principal } from '@bulwark/core';
import { type AuthzEventOptions, checkEventOptions, checkName, emitDenied, type RequestWhere } from './events.js';
import { checkRequirement, type Grant, isRecord, pointerTo, type Requirement } from './requirement.js';

/** Who may set a field: `true` (anyone the route lets in), a {@link Requirement}, or `{ requires }` as in `readableFields`. */
export type WriteRule = true | Requirement | { readonly requires: Requirement };

/** Options of {@link writableFields}. */
export interface WritableFieldsOptions extends AuthzEventOptions {
  /** The resource kind (`note`), for events. */
  readonly resource?: string | undefined;
}

/** The option names {@link writableFields} knows. */
export const WRITABLE_OPTION_KEYS: readonly string[] = Object.freeze(['resource', 'onEvent', 'clock']);

/** One entry of the 422's `errors`, the shape `@bulwark/validation` answers with. */
export interface WriteFieldError {
  readonly pointer: string;
  readonly detail: string;
  readonly in: 'body';
}

/** Mass-assignment protection, compiled once. */
export interface WritableFields {
  /** The fields this principal may set. */
  fields(principal: Principal): readonly string[];
  /** The fields of `body` this principal may not set (every field of it not listed, or listed for others). */
  refused(principal: Principal, body: unknown): readonly string[];
  /**
   * `undefined` when the principal may set every field of `body`; otherwise the 422
   * `validation_failed` decision (send it with the adapter's `sendDecision`), with one
   * `errors` entry (`{ pointer, detail, in: 'body' }`) per refused field, and an
   * `authz.denied` event (layer `property`, the refused field names). A body that is not
   * an object is refused at pointer `''`.
   */
  check(principal: Principal, body: unknown, where?: RequestWhere): DenyDecision | undefined;
}

/** As many entries as `@bulwark/validation` sends at most. */
const MAX_ERRORS = 50;
const DETAIL = 'The request body does not match the schema.';
const CANNOT_SET = 'This field cannot be set.';
const NOT_AN_OBJECT: WriteFieldError = Object.freeze({ pointer: '', detail: 'Expected object.', in: 'body' });

/**
 * Property-level authorization on the way in (OWASP API3, mass assignment): the fields a
 * principal may set, an allowlist. A field not listed is never writable (`id`, `owner`,
 * `created_at`...); a listed one is writable by anyone (`true`) or by principals meeting
 * its requirement. Use it after the strict body schema, for the fields the schema knows but
 * not every role may set. The 422 reads as `@bulwark/validation`'s: the same code, detail
 * and `errors` shape.
 *
 * @example
 * ```ts
 * import { writableFields } from '@bulwark/authz';
 *
 * const userPatch = writableFields({ name: true, email: true, role: 'admin' }, { resource: 'user' });
 * declare const body: unknown; // the validated PATCH body
 * const refusal = userPatch.check(principal, body); // { role: 'admin' } from a user: 422, pointer /role
 * if (refusal) send(refusal); // your adapter's sendDecision(res, refusal)
 * ```
 */
export function writableFields(
  rules: Readonly<Record<string, WriteRule>>,
  options: WritableFieldsOptions = {},
): WritableFields {
  checkOptions(options, WRITABLE_OPTION_KEYS);
  const events = checkEventOptions(options);
  const resource = checkName(options.resource, 'resource');
  if (!isRecord(rules)) throw new ConfigError('rules', 'expected an object mapping each writable field to its rule');
  const grants = new Map<string, Grant>();
  for (const [key, rule] of Object.entries(rules)) {
    if (rule === true) grants.set(key, () => true);
    else if (isRecord(rule)) {
      checkOptions(rule, ['requires'], key);
      grants.set(key, checkRequirement(rule.requires, `${key}.requires`));
    } else grants.set(key, checkRequirement(rule, key));
  }
  const mayWrite = (principal: Principal, key: string): boolean => grants.get(key)?.(principal) === true;

  const refused = (principal: Principal, body: unknown): readonly string[] =>
    isRecord(body) ? Object.freeze(Object.keys(body).filter((key) => !mayWrite(principal, key))) : Object.freeze([]);

  return Object.freeze({
    fields(principal: Principal): readonly string[] {
      return Object.freeze([...grants.keys()].filter((key) => mayWrite(principal, key)));
    },
    refused,
    check(principal: Principal, body: unknown, where?: RequestWhere): DenyDecision | undefined {
      // Not an object: nothing to authorize field by field (the body schema's job), refused all the same.
      if (!isRecord(body)) return deny('validation_failed', DETAIL, { extensions: { errors: [NOT_AN_OBJECT] } });
      const names = refused(principal, body);
      if (names.length === 0) return undefined;
      const listed = names.slice(0, MAX_ERRORS);
      const errors: WriteFieldError[] = listed.map((key) => ({
        pointer: pointerTo(key),
        detail: CANNOT_SET,
        in: 'body',
      }));
      emitDenied(events, { layer: 'property', fields: listed, ...(resource === undefined ? {} : { resource }) }, where);
      return deny('validation_failed', DETAIL, { extensions: { errors } });
    },
  });
}
