import type { z } from 'zod';
import type { FieldError } from './issues.js';
import { pointedError } from './pointer.js';
import { arrayElement, coerceString, expectsArray, objectShape } from './schema-walk.js';

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const MAX_PAIRS = 256;

export type QueryResult =
  | { readonly ok: true; readonly value: Record<string, unknown> }
  | { readonly ok: false; readonly errors: FieldError[] };

function decode(text: string): string | undefined {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

/**
 * Parses a raw query string for `schema` (an object schema). The policy for a key given
 * twice (`?a=1&a=2`): it is an error, unless the schema declares that key as an array, in
 * which case every value is kept in order. Values are coerced to numbers and booleans where
 * the schema expects them. Malformed percent-encoding, more than 256 pairs and the keys
 * `__proto__`, `constructor` and `prototype` are errors.
 */
export function parseQuery(raw: string, schema: z.ZodType): QueryResult {
  const shape = objectShape(schema) ?? {};
  const values = new Map<string, string[]>();
  const errors: FieldError[] = [];
  const pairs = raw === '' ? [] : raw.split('&');
  if (pairs.length > MAX_PAIRS)
    return { ok: false, errors: [{ pointer: '', detail: `At most ${MAX_PAIRS} parameters.`, in: 'query' }] };
  for (const pair of pairs) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = decode(eq === -1 ? pair : pair.slice(0, eq));
    const value = decode(eq === -1 ? '' : pair.slice(eq + 1));
    if (key === undefined || value === undefined) {
      errors.push({ pointer: '', detail: 'Malformed percent-encoding.', in: 'query' });
      continue;
    }
    if (FORBIDDEN_KEYS.has(key)) {
      errors.push({ ...pointedError([key], 'This parameter name is not allowed.'), in: 'query' });
      continue;
    }
    const list = values.get(key);
    if (list) list.push(value);
    else values.set(key, [value]);
  }
  const out: Record<string, unknown> = Object.create(null);
  for (const [key, list] of values) {
    const field = Object.hasOwn(shape, key) ? shape[key] : undefined;
    if (field !== undefined && expectsArray(field)) {
      const element = arrayElement(field);
      out[key] = list.map((v) => coerceString(element, v));
    } else if (list.length > 1) {
      errors.push({ ...pointedError([key], 'Given more than once.'), in: 'query' });
    } else {
      out[key] = field === undefined ? list[0] : coerceString(field, list[0] as string);
    }
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: out };
}

/** Coerces path parameters or headers (one value each) for an object schema. */
export function coerceRecord(
  input: Readonly<Record<string, string | undefined>>,
  schema: z.ZodType,
): Record<string, unknown> {
  const shape = objectShape(schema) ?? {};
  const out: Record<string, unknown> = Object.create(null);
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined || FORBIDDEN_KEYS.has(key)) continue;
    const field = Object.hasOwn(shape, key) ? shape[key] : undefined;
    out[key] = field === undefined ? value : coerceString(field, value);
  }
  return out;
}
