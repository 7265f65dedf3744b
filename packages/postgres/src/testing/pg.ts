import { portOpen } from '@bulwark/testkit';
import pg from 'pg';
import { inSchema, quoteSchema } from '../sql.js';

// Test support (not exported by the package): pools on the machine's PostgreSQL and one
// fresh schema per test run, dropped afterwards, so runs and files never see each other's rows.

export const PG_HOST = process.env.PGHOST ?? '127.0.0.1';
export const PG_PORT = Number(process.env.PGPORT ?? 5432);
export const PG_DATABASE = process.env.PGDATABASE ?? 'test';
export const PG_USER = process.env.PGUSER ?? 'postgres';

/** True when PostgreSQL accepts connections (for describeWithService). */
export const postgresUp: boolean = await portOpen(PG_HOST, PG_PORT);

export function testPool(config: pg.PoolConfig = {}): pg.Pool {
  const pool = new pg.Pool({
    host: PG_HOST,
    port: PG_PORT,
    database: PG_DATABASE,
    user: PG_USER,
    max: 10,
    ...config,
  });
  // An idle client's error (the server restarting) must not crash the test process.
  pool.on('error', () => {});
  return pool;
}

let counter = 0;

/** A schema name no other run or file uses: `bulwark_test_<pid>_<n>_<random>`. */
export function testSchemaName(): string {
  counter += 1;
  const random = Math.floor(Math.random() * 36 ** 4).toString(36);
  return `bulwark_test_${process.pid}_${counter}_${random}`;
}

/** Drops a test schema and everything in it. */
export async function dropSchema(pool: pg.Pool, name: string): Promise<void> {
  if (!/^bulwark_test_[a-z0-9_]+$/.test(name)) throw new Error(`refusing to drop ${name}`);
  // DDL takes no parameters for identifiers: the name goes through the package's one helper.
  await pool.query(inSchema(quoteSchema(name), 'DROP SCHEMA IF EXISTS {schema} CASCADE'));
}

/** A test's statement bound to a test schema, through the package's one schema helper. */
export function inTestSchema(name: string, text: string): string {
  return inSchema(quoteSchema(name), text);
}
