import type { z } from 'zod';

/** The parts of zod's internal definition we read (stable in zod 4's `_zod.def`). */
interface Def {
  readonly type: string;
  readonly shape?: Record<string, z.ZodType>;
  readonly catchall?: z.ZodType;
  readonly innerType?: z.ZodType;
  readonly element?: z.ZodType;
  readonly options?: readonly z.ZodType[];
  readonly valueType?: z.ZodType;
  readonly in?: z.ZodType;
  readonly getter?: () => z.ZodType;
  readonly items?: readonly z.ZodType[];
}

const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional']);

export function defOf(schema: z.ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

/** Strips optional/nullable/default/... and pipes down to the schema that checks the value. */
export function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (let i = 0; i < 32; i++) {
    const def = defOf(current);
    if (WRAPPERS.has(def.type) && def.innerType) current = def.innerType;
    else if (def.type === 'pipe' && def.in) current = def.in;
    else if (def.type === 'lazy' && def.getter) current = def.getter();
    else return current;
  }
  return current;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Finds keys of `value` that `schema` does not declare, in objects that did not opt out.
 * zod's plain `z.object()` strips unknown keys silently; Bulwark treats it as strict (mass
 * assignment). `z.looseObject()` / `.passthrough()` opts out; `z.strictObject()` is
 * reported by zod itself. Unions count a key as known if some option declares it.
 */
export function unknownKeys(
  schema: z.ZodType,
  value: unknown,
  path: PropertyKey[] = [],
  out: PropertyKey[][] = [],
  depth = 0,
): PropertyKey[][] {
  if (depth > 64) return out;
  const inner = unwrap(schema);
  const def = defOf(inner);
  switch (def.type) {
    case 'object': {
      if (!isPlainObject(value) || def.shape === undefined) return out;
      for (const key of Object.keys(value)) {
        const field = Object.hasOwn(def.shape, key) ? def.shape[key] : undefined;
        if (field !== undefined) unknownKeys(field, value[key], [...path, key], out, depth + 1);
        else if (def.catchall === undefined) out.push([...path, key]);
      }
      return out;
    }
    case 'array':
      if (Array.isArray(value) && def.element) {
        for (let i = 0; i < value.length; i++) unknownKeys(def.element, value[i], [...path, i], out, depth + 1);
      }
      return out;
    case 'tuple':
      if (Array.isArray(value) && def.items) {
        for (let i = 0; i < def.items.length; i++)
          unknownKeys(def.items[i] as z.ZodType, value[i], [...path, i], out, depth + 1);
      }
      return out;
    case 'record':
      if (isPlainObject(value) && def.valueType) {
        for (const key of Object.keys(value)) unknownKeys(def.valueType, value[key], [...path, key], out, depth + 1);
      }
      return out;
    case 'union': {
      // The option that explains the value best: fewest unknown keys.
      let best: PropertyKey[][] | undefined;
      for (const option of def.options ?? []) {
        const found = unknownKeys(option, value, path, [], depth + 1);
        if (best === undefined || found.length < best.length) best = found;
        if (found.length === 0) break;
      }
      if (best) out.push(...best);
      return out;
    }
    default:
      return out;
  }
}

const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/**
 * Converts a query, path or header string to what the schema expects, where the schema
 * says so: numbers (strict decimal syntax), booleans (`true`/`false`/`1`/`0`). Anything
 * else is left as a string for zod to judge.
 */
export function coerceString(schema: z.ZodType, value: string): unknown {
  const type = defOf(unwrap(schema)).type;
  if (type === 'number' && NUMBER.test(value)) return Number(value);
  if (type === 'boolean') {
    if (value === 'true' || value === '1') return true;
    if (value === 'false' || value === '0') return false;
  }
  return value;
}

/** True when the schema (unwrapped) expects an array. */
export function expectsArray(schema: z.ZodType): boolean {
  return defOf(unwrap(schema)).type === 'array';
}

/** The element schema of an array schema, for coercing each value. */
export function arrayElement(schema: z.ZodType): z.ZodType {
  return defOf(unwrap(schema)).element as z.ZodType;
}

/** The shape of an object schema, or `undefined` when the schema is not an object. */
export function objectShape(schema: z.ZodType): Record<string, z.ZodType> | undefined {
  const def = defOf(unwrap(schema));
  return def.type === 'object' ? def.shape : undefined;
}
