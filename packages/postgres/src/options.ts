import { ConfigError, checkOptions, type Duration, parseDuration } from '@bulwark/core';
import type { Pool } from 'pg';
import { type QuotedSchema, quoteSchema } from './sql.js';

/** The options every PostgreSQL store of this package takes. */
export interface PostgresStoreOptions {
  /** The `pg.Pool` to run statements on (you create, configure and end it). */
  readonly pool: Pool;
  /**
   * The schema holding the tables (`migrate()` creates it). Default `bulwark`. A lower-case
   * identifier (a-z, 0-9, _), always double-quoted in the SQL.
   */
  readonly schema?: string | undefined;
  /**
   * How long one operation (getting a connection included) may take before it rejects with
   * `store_timeout`. Default `1s`; between `1ms` and `1m`.
   */
  readonly timeout?: Duration | undefined;
  /**
   * Whether statements are prepared (named) on each connection, so PostgreSQL parses and
   * plans each once per connection. Default `true`. Set `false` behind a pooler that cannot
   * keep prepared statements (PgBouncer in transaction mode before 1.21, or without
   * `max_prepared_statements`).
   */
  readonly preparedStatements?: boolean | undefined;
}

/** What a store needs at run time, validated once at construction. */
export interface PgContext {
  readonly pool: Pool;
  /** The schema as given (for advisory-lock keys and notification channels). */
  readonly schemaName: string;
  /** The schema validated and double-quoted, for `{schema}` in statements. */
  readonly schema: QuotedSchema;
  readonly timeoutMs: number;
  /** Statements are sent named (prepared once per connection). */
  readonly prepare: boolean;
}

export const DEFAULT_SCHEMA = 'bulwark';
export const SHARED_OPTIONS = ['pool', 'schema', 'timeout', 'preparedStatements'] as const;

/** True for something shaped like a `pg.Pool` (checked without importing pg at run time). */
export function isPool(value: unknown): value is Pool {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as Pool).query === 'function' &&
    typeof (value as Pool).connect === 'function' &&
    typeof (value as Pool).on === 'function'
  );
}

/**
 * Checks the shared options (and that no key outside `SHARED_OPTIONS` and `extra` is
 * given) and answers the store's context. Throws a ConfigError naming the option.
 */
export function resolveStoreOptions(options: PostgresStoreOptions, extra: readonly string[] = []): PgContext {
  checkOptions(options, [...SHARED_OPTIONS, ...extra]);
  if (!isPool(options.pool)) throw new ConfigError('pool', 'expected a pg.Pool');
  const schemaName = options.schema ?? DEFAULT_SCHEMA;
  const schema = quoteSchema(schemaName);
  const timeoutMs = parseDuration(options.timeout ?? '1s', 'timeout');
  if (timeoutMs < 1 || timeoutMs > 60_000) throw new ConfigError('timeout', 'expected 1ms to 1m');
  const prepare = options.preparedStatements ?? true;
  if (typeof prepare !== 'boolean') throw new ConfigError('preparedStatements', 'expected true or false');
  return { pool: options.pool, schemaName, schema, timeoutMs, prepare };
}
