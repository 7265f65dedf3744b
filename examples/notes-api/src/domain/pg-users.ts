import { randomUUID } from 'node:crypto';
import { BulwarkError } from '@bulwark/core';
import type { PasswordHasher } from '@bulwark/passwords';
import type { Pool } from 'pg';
import { DEMO_USERS, ROLES, type Role, type User, type UserDirectory } from './users.js';

/**
 * The demo's users table, in a schema of its own (Bulwark's stores keep theirs). Run under
 * an advisory lock: two processes starting on one database create it once.
 */
const MIGRATION = [
  'CREATE SCHEMA IF NOT EXISTS notes_api',
  `CREATE TABLE IF NOT EXISTS notes_api.users (
     seq bigserial NOT NULL,
     id uuid PRIMARY KEY,
     email text NOT NULL UNIQUE CHECK (email = lower(email)),
     role text NOT NULL,
     created_at timestamptz NOT NULL DEFAULT now(),
     password_hash text NOT NULL
   )`,
];

/** An arbitrary constant of the demo's own: the advisory lock its migration takes. */
const MIGRATION_LOCK = 0x6e6f746573; // "notes"

interface UserRow {
  readonly id: string;
  readonly email: string;
  readonly role: string;
  readonly created_at: Date;
  readonly password_hash: string;
}

const COLUMNS = 'id, email, role, created_at, password_hash';

function userOf(row: UserRow): User {
  if (!ROLES.has(row.role)) throw new BulwarkError('internal_error', 'a user row names an unknown role');
  const role = row.role as Role;
  return {
    id: row.id,
    email: row.email,
    role,
    scopes: ROLES.scopesFor(role),
    createdAt: row.created_at.toISOString(),
    passwordHash: row.password_hash,
  };
}

/**
 * The users in PostgreSQL (DATABASE_URL): every statement parameterised, so an email such
 * as `' OR '1'='1` is a value compared with `=`, never SQL. The demo users are seeded once
 * (`ON CONFLICT DO NOTHING`): the first process to start draws their ids and hashes, every
 * later one reads them, so a token's `sub` names the same user in all.
 */
export async function pgUserDirectory(pool: Pool, hasher: PasswordHasher): Promise<UserDirectory> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    for (const statement of MIGRATION) await client.query(statement);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
  for (const { email, password, role } of DEMO_USERS) {
    const known = await pool.query('SELECT 1 FROM notes_api.users WHERE email = $1', [email]);
    if (known.rowCount !== 0) continue;
    await pool.query(
      'INSERT INTO notes_api.users (id, email, role, password_hash) VALUES ($1, $2, $3, $4) ON CONFLICT (email) DO NOTHING',
      [randomUUID(), email, role, await hasher.hash(password)],
    );
  }
  const one = async (sql: string, value: string) => {
    const { rows } = await pool.query<UserRow>(sql, [value]);
    return rows[0] === undefined ? undefined : userOf(rows[0]);
  };
  return {
    byEmail: (email) => one(`SELECT ${COLUMNS} FROM notes_api.users WHERE email = lower(btrim($1))`, email),
    // A value that is no UUID matches no one (and is never cast by PostgreSQL, which would throw).
    byId: async (id) =>
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)
        ? one(`SELECT ${COLUMNS} FROM notes_api.users WHERE id = $1::uuid`, id)
        : undefined,
    page: async (limit, after) => {
      const { rows } = await pool.query<UserRow>(
        `SELECT ${COLUMNS} FROM notes_api.users ORDER BY seq LIMIT $1 OFFSET $2`,
        [limit + 1, after],
      );
      return { users: rows.slice(0, limit).map(userOf), more: rows.length > limit };
    },
  };
}
