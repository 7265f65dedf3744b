import type { z } from 'zod';
import { defOf, FORBIDDEN_KEYS, isPlainLeaf, isStrictObject, LEAVES, PASS_THROUGH } from './schema-walk.js';

/** Whether a value has no unknown key in any of the strict objects its schema places. */
export type UnknownKeyCheck = (value: unknown) => boolean;

/** Where the strict objects of a schema sit; `null`: nowhere (primitives only). */
type Plan =
  | {
      readonly kind: 'object';
      readonly keys: readonly string[];
      readonly fields: ReadonlyArray<readonly [string, Plan]>;
    }
  | { readonly kind: 'array'; readonly element: Plan }
  | { readonly kind: 'tuple'; readonly items: ReadonlyArray<Plan | null>; readonly rest: Plan | null };

/**
 * The plan of a closed schema (see `closedDepth`) in which every object sits at a place
 * known from the schema alone: no object inside a union (which option matched is zod's to
 * know), no `prefault` (zod parses its value), no coercion. `undefined`: not checkable.
 */
function planOf(schema: z.ZodType): Plan | null | undefined {
  const def = defOf(schema);
  if (LEAVES.has(def.type)) return isPlainLeaf(def) ? null : undefined;
  if (PASS_THROUGH.has(def.type) && def.type !== 'prefault') return def.innerType ? planOf(def.innerType) : undefined;
  if (def.type === 'object') {
    if (!isStrictObject(def)) return undefined;
    const fields: Array<readonly [string, Plan]> = [];
    for (const [key, field] of Object.entries(def.shape)) {
      if (FORBIDDEN_KEYS.includes(key)) return undefined; // the hostile-JSON walk's business
      const plan = planOf(field);
      if (plan === undefined) return undefined;
      if (plan !== null) fields.push([key, plan]);
    }
    return { kind: 'object', keys: Object.keys(def.shape), fields };
  }
  if (def.type === 'array') {
    const element = def.element ? planOf(def.element) : undefined;
    return element === undefined || element === null ? element : { kind: 'array', element };
  }
  if (def.type === 'tuple') {
    const restSchema = def.rest;
    const items = (def.items ?? []).map(planOf);
    const rest = restSchema ? planOf(restSchema) : null;
    if (items.includes(undefined) || rest === undefined) return undefined;
    if (rest === null && items.every((item) => item === null)) return null;
    return { kind: 'tuple', items: items as Array<Plan | null>, rest };
  }
  if (def.type === 'union') {
    const options = (def.options ?? []).map(planOf);
    return options.length > 0 && options.every((option) => option === null) ? null : undefined;
  }
  return undefined;
}

/**
 * The plan as JavaScript source, checking the variable `name`. A value of the wrong type is
 * passed over (`true`): zod refuses it, and the validator then takes the strict path.
 * Key names enter the source only through `JSON.stringify`.
 */
function source(plan: Plan, name: string, fresh: () => string): string {
  if (plan.kind === 'object') {
    const known = plan.keys.map((key) => `k !== ${JSON.stringify(key)}`).join(' && ') || 'true';
    const fields = plan.fields.map(([key, field]) => {
      const child = fresh();
      return `{ const ${child} = ${name}[${JSON.stringify(key)}];\n${source(field, child, fresh)} }`;
    });
    return `if (typeof ${name} === 'object' && ${name} !== null && !Array.isArray(${name})) {
  for (const k in ${name}) { if (${known}) return false; }
  ${fields.join('\n')}
}`;
  }
  const index = fresh();
  const item = fresh();
  if (plan.kind === 'array') {
    return `if (Array.isArray(${name})) for (let ${index} = 0; ${index} < ${name}.length; ${index}++) { const ${item} = ${name}[${index}];
${source(plan.element, item, fresh)} }`;
  }
  const items = plan.items.map((itemPlan, i) =>
    itemPlan === null ? '' : `{ const ${item} = ${name}[${i}];\n${source(itemPlan, item, fresh)} }`,
  );
  const rest =
    plan.rest === null
      ? ''
      : `for (let ${index} = ${plan.items.length}; ${index} < ${name}.length; ${index}++) { const ${item} = ${name}[${index}];
${source(plan.rest, item, fresh)} }`;
  return `if (Array.isArray(${name})) { ${items.join('\n')} ${rest} }`;
}

/** The same check as closures, where the runtime forbids compiling code (CSP, Workers). */
function closure(plan: Plan): UnknownKeyCheck {
  if (plan.kind === 'object') {
    const { keys } = plan;
    const fieldKeys = plan.fields.map(([key]) => key);
    const fieldChecks = plan.fields.map(([, field]) => closure(field));
    return (value) => {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return true;
      declared: for (const key in value) {
        for (let i = 0; i < keys.length; i++) if (keys[i] === key) continue declared;
        return false;
      }
      const record = value as Record<string, unknown>;
      for (let i = 0; i < fieldKeys.length; i++) {
        if (!(fieldChecks[i] as UnknownKeyCheck)(record[fieldKeys[i] as string])) return false;
      }
      return true;
    };
  }
  if (plan.kind === 'array') {
    const element = closure(plan.element);
    return (value) => {
      if (!Array.isArray(value)) return true;
      for (let i = 0; i < value.length; i++) if (!element(value[i])) return false;
      return true;
    };
  }
  const items = plan.items.map((item) => (item === null ? undefined : closure(item)));
  const rest = plan.rest === null ? undefined : closure(plan.rest);
  return (value) => {
    if (!Array.isArray(value)) return true;
    for (let i = 0; i < value.length; i++) {
      const check = i < items.length ? items[i] : rest;
      if (check !== undefined && !check(value[i])) return false;
    }
    return true;
  };
}

/**
 * zod's strict check (no key outside the declared ones, in every strict object) done
 * without zod, for the schemas where the places of those objects are fixed: compiled to a
 * plain function, as zod compiles its own object parsers, with closures where the runtime
 * forbids that. On a typical body it costs about 20 ns where zod's strict objects cost
 * about 80. `null`: nothing to check; `undefined`: not checkable (the validator keeps zod's
 * strict check).
 */
export function unknownKeyCheck(
  schema: z.ZodType,
  options: { readonly compile?: boolean } = {},
): UnknownKeyCheck | null | undefined {
  const plan = planOf(schema);
  if (plan === null || plan === undefined) return plan;
  if (options.compile !== false) {
    let n = 0;
    const body = `${source(plan, 'v', () => `v${++n}`)}\nreturn true;`;
    try {
      return new Function('v', body) as UnknownKeyCheck;
    } catch {
      // Code generation is not allowed here: closures below.
    }
  }
  return closure(plan);
}
