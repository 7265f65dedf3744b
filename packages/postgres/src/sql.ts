import { ConfigError } from '@bulwark/core';

// The one place where anything is spliced into SQL text: the schema name, validated here
// and double-quoted. Every statement of the package is a constant naming its tables as
// `{schema}.table`; values always travel as parameters ($1, $2, ...). The SQL-injection
// scan (sql-scan.test.ts) refuses any other template interpolation or concatenation.

/** A schema name as PostgreSQL folds an unquoted one: lower case, 1 to 63 bytes. */
const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;
const PLACEHOLDER = /\{schema\}/g;

/** A validated, double-quoted schema identifier (brand: only {@link quoteSchema} makes one). */
export type QuotedSchema = string & { readonly __quotedSchema: unique symbol };

/**
 * Validates a schema name and quotes it. Lower case only, so that `"bulwark"` quoted and
 * `bulwark` unquoted (in a user's psql session) name the same schema.
 */
export function quoteSchema(name: unknown, option = 'schema'): QuotedSchema {
  if (typeof name !== 'string' || !IDENTIFIER.test(name)) {
    throw new ConfigError(option, 'expected a lower-case SQL identifier (a-z, 0-9, _; at most 63 characters)');
  }
  if (name.startsWith('pg_')) throw new ConfigError(option, 'names starting with pg_ are reserved by PostgreSQL');
  return '"'.concat(name, '"') as QuotedSchema;
}

/** `text` with every `{schema}` replaced by the quoted schema: the statement to send. */
export function inSchema(schema: QuotedSchema, text: string): string {
  return text.replace(PLACEHOLDER, schema);
}

/** Every statement of a table of named statements, bound to one schema (done once per store). */
export function bindStatements<T extends Record<string, string>>(schema: QuotedSchema, statements: T): T {
  const bound: Record<string, string> = {};
  for (const [name, text] of Object.entries(statements)) bound[name] = inSchema(schema, text);
  return bound as T;
}
