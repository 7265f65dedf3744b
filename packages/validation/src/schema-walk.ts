import { z } from 'zod';

const NEVER = z.never();

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
  readonly checks?: readonly unknown[];
  readonly items?: readonly z.ZodType[];
  readonly rest?: z.ZodType | null;
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

type Cloneable = z.ZodType & { clone(def: object): z.ZodType };

function rebuild(schema: z.ZodType, patch: Record<string, unknown>): z.ZodType {
  return (schema as Cloneable).clone({ ...defOf(schema), ...patch });
}

/**
 * Returns a copy of `schema` in which every plain `z.object()` rejects unknown keys, so
 * zod itself reports them (`unrecognized_keys`). zod's plain objects strip unknown keys
 * silently; Bulwark treats them as strict (mass assignment). `z.looseObject()` /
 * `.passthrough()` opt out; refinements and other checks are kept. Intersections are left
 * as they are (strict halves would refuse each other's keys).
 */
export function strictify(schema: z.ZodType, seen = new Map<z.ZodType, z.ZodType | null>()): z.ZodType {
  const done = seen.get(schema);
  if (done === null) {
    // A recursive schema (zod 4's getter pattern) reached itself while its copy is being
    // built: refer to that copy lazily.
    return z.lazy(() => seen.get(schema) as z.ZodType);
  }
  if (done !== undefined) return done;
  seen.set(schema, null);
  const def = defOf(schema);
  let out: z.ZodType = schema;
  if (def.type === 'object' && def.shape !== undefined) {
    const shape: Record<string, z.ZodType> = {};
    for (const [key, field] of Object.entries(def.shape)) shape[key] = strictify(field, seen);
    if (def.catchall !== undefined) {
      out = Object.keys(shape).some((key) => shape[key] !== def.shape?.[key]) ? rebuild(schema, { shape }) : schema;
    } else if ((def.checks ?? []).length === 0) {
      // Built through the public constructor: zod compiles it like any strict object.
      out = z.strictObject(shape);
    } else {
      out = rebuild(schema, { shape, catchall: NEVER });
    }
  } else if (WRAPPERS.has(def.type) && def.innerType) {
    out = same(def.innerType, seen, (inner) => rebuild(schema, { innerType: inner }), schema);
  } else if (def.type === 'array' && def.element) {
    out = same(def.element, seen, (element) => rebuild(schema, { element }), schema);
  } else if (def.type === 'union' && def.options) {
    const options = def.options.map((option) => strictify(option, seen));
    out = options.some((o, i) => o !== def.options?.[i]) ? rebuild(schema, { options }) : schema;
  } else if (def.type === 'record' && def.valueType) {
    out = same(def.valueType, seen, (valueType) => rebuild(schema, { valueType }), schema);
  } else if (def.type === 'tuple' && def.items) {
    const items = def.items.map((item) => strictify(item, seen));
    const rest = def.rest ? strictify(def.rest, seen) : def.rest;
    const changed = rest !== def.rest || items.some((o, i) => o !== def.items?.[i]);
    out = changed ? rebuild(schema, { items, rest }) : schema;
  } else if (def.type === 'pipe' && def.in) {
    out = same(def.in, seen, (input) => rebuild(schema, { in: input }), schema);
  } else if (def.type === 'lazy' && def.getter) {
    const getter = def.getter;
    let resolved: z.ZodType | undefined;
    out = rebuild(schema, {
      getter: () => {
        resolved ??= strictify(getter(), seen);
        return resolved;
      },
    });
  }
  seen.set(schema, out);
  return out;
}

/** Keys the hostile-JSON walk refuses anywhere in a body. */
export const FORBIDDEN_KEYS = ['__proto__', 'constructor', 'prototype'];
/** Types whose successful parse leaves a primitive: nothing below them to walk. */
export const LEAVES = new Set(['string', 'number', 'boolean', 'null', 'literal', 'enum', 'template_literal', 'nan']);
/** Wrappers that pass their input, unchanged, to the inner schema (not `catch`, not `success`). */
export const PASS_THROUGH = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'nonoptional']);

/**
 * A leaf that leaves a primitive. Not a coercing one (`z.coerce.*`): it calls
 * Number()/String()/Boolean() on whatever it gets, so `z.coerce.number()` accepts
 * `[[["5"]]]` at any depth and `z.coerce.boolean()` any object.
 */
export const isPlainLeaf = (def: Def): boolean => LEAVES.has(def.type) && (def as { coerce?: boolean }).coerce !== true;

/** An object that refuses unknown keys (catchall `never`): what `strictify` makes. */
export const isStrictObject = (def: Def): def is Def & { shape: Record<string, z.ZodType> } =>
  def.type === 'object' &&
  def.shape !== undefined &&
  def.catchall !== undefined &&
  defOf(def.catchall).type === 'never';

/**
 * The nesting depth (objects and arrays) of every value that `schema` accepts, or
 * `undefined` when the schema is not *closed*. A closed schema only accepts values it has
 * walked whole: strict objects (declared keys only, none of them `__proto__`,
 * `constructor` or `prototype`), arrays and tuples of closed schemas, unions of them,
 * primitives that do not coerce, and the wrappers above. So when zod accepts a body under
 * a closed schema of depth <= maxDepth, the hostile-JSON walk cannot find anything, and the
 * validator runs it only to explain a failure. Anything else (records, loose objects, `any`, `unknown`,
 * `lazy`, pipes and transforms, which hand the raw value to code, `catch` and `success`,
 * which turn a failure into success, and every type not listed) is open: the walk runs
 * before zod, as for every body.
 */
export function closedDepth(schema: z.ZodType, visiting = new Set<z.ZodType>()): number | undefined {
  // A schema that contains itself has no depth bound: open.
  if (visiting.has(schema)) return undefined;
  visiting.add(schema);
  const depth = closedDepthOf(schema, visiting);
  visiting.delete(schema);
  return depth;
}

function closedDepthOf(schema: z.ZodType, visiting: Set<z.ZodType>): number | undefined {
  const def = defOf(schema);
  if (LEAVES.has(def.type)) return isPlainLeaf(def) ? 0 : undefined;
  if (PASS_THROUGH.has(def.type)) return def.innerType ? closedDepth(def.innerType, visiting) : undefined;
  if (def.type === 'object') {
    if (!isStrictObject(def)) return undefined;
    let deepest = 0;
    for (const [key, field] of Object.entries(def.shape)) {
      const depth = FORBIDDEN_KEYS.includes(key) ? undefined : closedDepth(field, visiting);
      if (depth === undefined) return undefined;
      deepest = Math.max(deepest, depth);
    }
    return deepest + 1;
  }
  if (def.type === 'array') {
    const depth = def.element ? closedDepth(def.element, visiting) : undefined;
    return depth === undefined ? undefined : depth + 1;
  }
  if (def.type === 'tuple') {
    const rest = def.rest;
    const parts = [...(def.items ?? []), ...(rest ? [rest] : [])].map((part) => closedDepth(part, visiting));
    return parts.includes(undefined) ? undefined : Math.max(0, ...(parts as number[])) + 1;
  }
  if (def.type === 'union') {
    const parts = (def.options ?? []).map((part) => closedDepth(part, visiting));
    return parts.length === 0 || parts.includes(undefined) ? undefined : Math.max(...(parts as number[]));
  }
  return undefined;
}

/** Rebuilds a wrapper only when its child changed: unchanged schemas keep zod's compiled form. */
function same(
  child: z.ZodType,
  seen: Map<z.ZodType, z.ZodType | null>,
  wrap: (child: z.ZodType) => z.ZodType,
  original: z.ZodType,
): z.ZodType {
  const strictChild = strictify(child, seen);
  return strictChild === child ? original : wrap(strictChild);
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

/**
 * True when the schema (unwrapped) takes a flat record: an object, a record, or a union
 * of those (a `z.discriminatedUnion('grant_type', ...)` of OAuth grants, for one).
 */
export function expectsRecord(schema: z.ZodType): boolean {
  const def = defOf(unwrap(schema));
  if (def.type === 'object' || def.type === 'record') return true;
  return def.type === 'union' && def.options !== undefined && def.options.every((option) => expectsRecord(option));
}
