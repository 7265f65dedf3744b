import { ConfigError, type Principal } from '@bulwark/core';
import { checkScopeList, holdsAll } from './scopes.js';

/**
 * Who may see or set a field: a scope, every scope of a list, or a function of the
 * principal (only its `true` grants). A role is a set of scopes (see `roles`), so a
 * per-role rule is a per-scope rule.
 */
export type Requirement = string | readonly string[] | ((principal: Principal) => boolean);

/** A checked requirement: a test of the principal. */
export type Grant = (principal: Principal) => boolean;

export function checkRequirement(value: unknown, at: string): Grant {
  if (typeof value === 'function') {
    const test = value as (principal: Principal) => unknown;
    return (principal) => test(principal) === true;
  }
  if (value === undefined) throw new ConfigError(at, 'expected a scope, a list of scopes or (principal) => boolean');
  const scopes = checkScopeList(value, at);
  return (principal) => holdsAll(principal.scopes, scopes);
}

/** RFC 6901: `~` as `~0`, `/` as `~1`; the same pointers as `@bulwark/validation`'s `errors`. */
export function pointerTo(key: string): string {
  return `/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

/** A plain object (not an array, not null): the only value with fields to shape or check. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Sets an own property even for `__proto__`, which plain assignment would take as the prototype. */
export function define(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
