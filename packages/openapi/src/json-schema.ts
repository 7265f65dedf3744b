import { z } from 'zod';
import type { JsonObject } from './types.js';

/**
 * zod 4's own JSON Schema (draft 2020-12, the dialect of OpenAPI 3.1) of a schema:
 * `input` for what a client sends (defaults make a field optional, coercions show the
 * input side), `output` for what the API answers. A part JSON Schema cannot express (a
 * transform's result, a custom check) becomes `{}` (anything) instead of failing the
 * whole document. `$schema` is dropped: the document's dialect already says it.
 */
export function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonObject {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return rest;
}

/** The properties of an object's JSON Schema, and which are required. */
export function objectProperties(schema: JsonObject): {
  readonly properties: Readonly<Record<string, JsonObject>>;
  readonly required: readonly string[];
} {
  const properties = (schema.properties ?? {}) as Record<string, JsonObject>;
  const required = Array.isArray(schema.required) ? (schema.required as string[]) : [];
  return { properties, required };
}
