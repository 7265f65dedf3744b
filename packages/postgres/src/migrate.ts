import { ConfigError, checkOptions } from '@bulwark/core';
import type { Pool, PoolClient } from 'pg';
import { MIGRATIONS, type Migration } from './migrations/index.js';
import { DEFAULT_SCHEMA, isPool } from './options.js';
import { inSchema, quoteSchema } from './sql.js';

export interface MigrateOptions {
  /** The schema to create and migrate. Default `bulwark` (the stores' default). */
  readonly schema?: string | undefined;
}

export interface MigrateResult {
  /** Versions this call applied, in order (empty when the schema was up to date). */
  readonly applied: readonly number[];
  /** The highest version the schema is at now. */
  readonly version: number;
}

const ENSURE = `CREATE SCHEMA IF NOT EXISTS {schema};
CREATE TABLE IF NOT EXISTS {schema}.bulwark_migrations (
  version integer PRIMARY KEY,
  name text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)`;
// Key of the advisory lock: one per schema, so two schemas migrate independently.
const LOCK = "SELECT pg_advisory_xact_lock(hashtext('bulwark.migrate'), hashtext($1))";
const APPLIED = 'SELECT version FROM {schema}.bulwark_migrations';
const RECORD = 'INSERT INTO {schema}.bulwark_migrations (version, name) VALUES ($1, $2)';

/** Checks a migration list: versions strictly increasing, names kebab-case. */
export function checkMigrations(list: readonly Migration[]): void {
  let previous = 0;
  for (const migration of list) {
    if (!Number.isSafeInteger(migration.version) || migration.version <= previous) {
      throw new ConfigError('migrations', `version ${migration.version} is not above ${previous}`);
    }
    if (!/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(migration.name)) {
      throw new ConfigError('migrations', `name "${migration.name}" is not kebab-case`);
    }
    previous = migration.version;
  }
}

/**
 * Applies `list` to `schema`, one transaction per migration, each under a transaction-level
 * advisory lock keyed by the schema: processes started together serialise on it, and each
 * re-reads what is applied after getting it, so every migration runs exactly once.
 */
export async function applyMigrations(
  pool: Pool,
  schemaName: string,
  list: readonly Migration[],
): Promise<MigrateResult> {
  checkMigrations(list);
  const schema = quoteSchema(schemaName);
  const client: PoolClient = await pool.connect();
  const applied: number[] = [];
  let version = 0;
  let broken = false;
  try {
    for (;;) {
      await client.query('BEGIN');
      try {
        await client.query(LOCK, [schemaName]);
        await client.query(inSchema(schema, ENSURE));
        const rows = (await client.query<{ version: number }>(inSchema(schema, APPLIED))).rows;
        const done = new Set(rows.map((row) => row.version));
        version = Math.max(0, ...done);
        const next = list.find((migration) => !done.has(migration.version));
        if (next === undefined) {
          await client.query('COMMIT');
          return { applied, version };
        }
        await client.query(inSchema(schema, next.sql));
        await client.query(inSchema(schema, RECORD), [next.version, next.name]);
        await client.query('COMMIT');
        applied.push(next.version);
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {
          broken = true;
        });
        throw error;
      }
    }
  } finally {
    client.release(broken);
  }
}

/**
 * Creates the schema (default `bulwark`) and brings its tables to this release's version.
 * Safe to run from several processes at once (they take turns on an advisory lock) and
 * idempotent: run it at every start. Needs the right to create a schema, or an existing
 * schema the role owns.
 *
 * @example
 * ```ts
 * import { migrate } from '@bulwark/postgres';
 * import pg from 'pg';
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * const { applied, version } = await migrate(pool);
 * console.log(`schema at version ${version}, applied ${applied.length}`);
 * ```
 */
export function migrate(pool: Pool, options: MigrateOptions = {}): Promise<MigrateResult> {
  if (!isPool(pool)) throw new ConfigError('pool', 'expected a pg.Pool');
  checkOptions(options, ['schema']);
  const schemaName = options.schema ?? DEFAULT_SCHEMA;
  quoteSchema(schemaName);
  return applyMigrations(pool, schemaName, MIGRATIONS);
}
