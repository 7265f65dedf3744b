import { ConfigError, checkOptions, type Principal } from '@bulwark/core';
import type { FieldMask } from './mask.js';
import { checkRequirement, define, type Grant, isRecord, type Requirement } from './requirement.js';

/** A field only some principals may read; the others get it masked or not at all. */
export interface ReadRule {
  /** Who may read the value as it is. */
  readonly requires: Requirement;
  /** What the others get: `'drop'` (the default: no such field) or a {@link FieldMask}. */
  readonly otherwise?: 'drop' | FieldMask | undefined;
}

/** The option names of a {@link ReadRule}. */
export const READ_RULE_KEYS: readonly string[] = Object.freeze(['requires', 'otherwise']);

/** What a shaped object's fields may hold: the value, or a masked string. */
export type Shaped<T> = { [K in keyof T]?: T[K] | string };

/** Per-principal output shaping, compiled once. */
export interface ReadableFields {
  /** The ruled fields this principal reads as they are. */
  visible(principal: Principal): readonly string[];
  /**
   * A copy of `value` for this principal: each ruled field kept, masked or dropped; fields
   * without a rule kept (the output schema is the allowlist, see the README). An array is
   * shaped element by element (its elements that are not objects kept). Never changes its
   * input; `__proto__` stays a plain field.
   */
  shape<T extends object>(principal: Principal, value: readonly T[]): Shaped<T>[];
  shape<T extends object>(principal: Principal, value: T): Shaped<T>;
}

interface Compiled {
  readonly key: string;
  readonly grant: Grant;
  readonly mask: FieldMask | undefined;
}

function checkOtherwise(value: unknown, at: string): FieldMask | undefined {
  if (value === undefined || value === 'drop') return undefined;
  if (isRecord(value) && value.kind === 'mask' && typeof value.apply === 'function')
    return value as unknown as FieldMask;
  throw new ConfigError(at, `expected 'drop' or mask(fn)`);
}

/**
 * Property-level authorization on the way out (OWASP API3): fields dropped or masked for
 * principals without the scope (or role) their rule requires. Rules are checked once:
 * each an object with `requires` (a scope, scopes, or a function of the principal) and an
 * optional `otherwise` (`'drop'` or `mask(fn)`); unknown keys are a ConfigError naming the
 * field. Shape in the handler, then let the route's output schema filter (README:
 * "Shaping and output schemas").
 *
 * @example
 * ```ts
 * import { mask, maskEmail, readableFields } from '@bulwark/authz';
 *
 * const userFields = readableFields({
 *   email: { requires: 'users:read', otherwise: mask(maskEmail) },
 *   role: { requires: 'users:read' },
 *   created_at: { requires: 'users:read' },
 * });
 * userFields.shape(principal, { id: 'u1', email: 'dave@example.com', role: 'user', created_at: '2026-01-01' });
 * // without users:read: { id: 'u1', email: 'd***@example.com' }
 * ```
 */
export function readableFields(rules: Readonly<Record<string, ReadRule>>): ReadableFields {
  if (!isRecord(rules)) throw new ConfigError('rules', 'expected an object mapping each field to its rule');
  const compiled: Compiled[] = Object.entries(rules).map(([key, rule]) => {
    if (!isRecord(rule)) throw new ConfigError(key, 'expected { requires, otherwise? }');
    checkOptions(rule, READ_RULE_KEYS, key);
    return {
      key,
      grant: checkRequirement(rule.requires, `${key}.requires`),
      mask: checkOtherwise(rule.otherwise, `${key}.otherwise`),
    };
  });
  const byKey = new Map(compiled.map((rule) => [rule.key, rule]));

  /** The ruled fields this principal may not read as they are. */
  const hiddenFor = (principal: Principal): Map<string, Compiled> => {
    const hidden = new Map<string, Compiled>();
    for (const rule of compiled) if (!rule.grant(principal)) hidden.set(rule.key, rule);
    return hidden;
  };
  const shapeOne = (value: unknown, hidden: Map<string, Compiled>): unknown => {
    if (!isRecord(value)) return value;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      const rule = hidden.get(key);
      const field = value[key];
      if (rule === undefined) define(out, key, field);
      else if (rule.mask !== undefined && typeof field === 'string') define(out, key, rule.mask.apply(field));
    }
    return out;
  };

  return Object.freeze({
    visible(principal: Principal): readonly string[] {
      const hidden = hiddenFor(principal);
      return Object.freeze([...byKey.keys()].filter((key) => !hidden.has(key)));
    },
    shape(principal: Principal, value: unknown) {
      const hidden = hiddenFor(principal);
      if (Array.isArray(value)) return value.map((item) => shapeOne(item, hidden));
      return shapeOne(value, hidden);
    },
  }) as ReadableFields;
}
