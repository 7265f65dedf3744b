import { ConfigError } from '@bulwark/core';

// The one place where anything is spliced into SQL text: the schema name, validated here
// and double-quoted. Every statement of the package is a constant naming its tables as
// `{schema}.table`; values always travel as parameters ($1, $2, ...). The SQL-injection
// scan (sql-scan.test.ts) refuses any other template interpolation or concatenation.

/** A schema name as PostgreSQL folds an unquoted one: lower case, 1 to 63 bytes. */
const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;
const PLACEHOLDER = /\{schema\}|\{channel:([a-z_]{1,20})\}/g;
/** PostgreSQL's identifier limit (NAMEDATALEN - 1): a channel name must fit it too. */
const MAX_IDENTIFIER_BYTES = 63;

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

/**
 * `text` with every `{schema}` replaced by the quoted schema, and every `{channel:topic}`
 * by the quoted notification channel of that topic (`"<schema>.<topic>"`, see
 * {@link channelName}): the statement to send.
 */
export function inSchema(schema: QuotedSchema, text: string): string {
  return text.replace(PLACEHOLDER, (_, topic: string | undefined) =>
    topic === undefined ? schema : schema.slice(0, -1).concat('.', topic, '"'),
  );
}

/**
 * The notification channel of a topic (`revocations`, `api_keys`) in a schema, as
 * `pg_notify` takes it and notifications name it: `<schema>.<topic>`. Channels are
 * per database, not per schema, so the schema is part of the name. Throws a ConfigError
 * naming `schema` when the name would pass PostgreSQL's identifier limit.
 */
export function channelName(schemaName: string, topic: string): string {
  const name = schemaName.concat('.', topic);
  if (new TextEncoder().encode(name).length > MAX_IDENTIFIER_BYTES) {
    throw new ConfigError('schema', `too long for the notification channel "${name}" (at most 63 bytes)`);
  }
  return name;
}

/** Every statement of a table of named statements, bound to one schema (done once per store). */
export function bindStatements<T extends Record<string, string>>(schema: QuotedSchema, statements: T): T {
  const bound: Record<string, string> = {};
  for (const [name, text] of Object.entries(statements)) bound[name] = inSchema(schema, text);
  return bound as T;
}
