import { BulwarkError } from '@bulwark/core';
import {
  type AuthorizationCodeRecord,
  type AuthorizationCodeStore,
  checkAuthorizationCode,
  type RedeemResult,
} from '@bulwark/tokens';
import { type PostgresStoreOptions, resolveStoreOptions } from '../options.js';
import { runQuery } from '../query.js';
import { bindStatements } from '../sql.js';
import { type SweepOptions, type SweepResult, sweepExpired } from '../sweep.js';
import { CODE_STATEMENTS } from './statements.js';

export type PostgresAuthorizationCodeStoreOptions = PostgresStoreOptions;

/** The authorization-code store on PostgreSQL, with its bounded sweep of expired codes. */
export interface PostgresAuthorizationCodeStore extends AuthorizationCodeStore {
  /** Deletes expired codes in bounded batches (an expired code already answers `unknown`). */
  sweep(options?: SweepOptions): Promise<SweepResult>;
}

type Row = Record<string, unknown>;
const HASH = /^[A-Za-z0-9_-]{43}$/;

/** The record from its row, checked field by field: a malformed one is a store failure, never a grant. */
function recordOf(row: Row): AuthorizationCodeRecord {
  const record = {
    clientId: row.client_id,
    redirectUri: row.redirect_uri,
    codeChallenge: row.code_challenge,
    scopes: row.scopes,
    subject: row.subject,
    familyId: row.family_id,
  } as AuthorizationCodeRecord;
  try {
    checkAuthorizationCode('A'.repeat(43), record, 1);
  } catch (error) {
    throw new BulwarkError('store_unavailable', 'an authorization code row in PostgreSQL is malformed', {
      cause: error,
    });
  }
  return Object.freeze({ ...record, scopes: Object.freeze([...record.scopes]) });
}

/**
 * The authorization-code store on PostgreSQL (a `pg.Pool`, shared by every process; run
 * `migrate()` first). A code is one row keyed by its hash (the code itself is never
 * stored); each operation is one statement, one round trip, timed by the database's
 * clock. `redeem` is one `UPDATE ... RETURNING` whose row lock orders concurrent
 * redemptions: of any number of them, from any number of processes, exactly one answers
 * `redeemed`. A used code is kept until its expiry, so a second use answers `reused`.
 * A failed call rejects with `store_unavailable` (a code is never granted on a guess).
 *
 * @example
 * ```ts
 * import { migrate, postgresAuthorizationCodeStore } from '@bulwark/postgres';
 * import { type AuthorizationServerOptions, authorizationServer } from '@bulwark/tokens';
 * import pg from 'pg';
 *
 * declare const options: AuthorizationServerOptions; // issuer, clients, accessTokens, refreshTokens...
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, statement_timeout: 5_000 });
 * await migrate(pool);
 * const codes = postgresAuthorizationCodeStore({ pool });
 * const oauth = authorizationServer({ ...options, codes });
 * setInterval(() => void codes.sweep(), 60_000).unref();
 * ```
 */
export function postgresAuthorizationCodeStore(
  options: PostgresAuthorizationCodeStoreOptions,
): PostgresAuthorizationCodeStore {
  const ctx = resolveStoreOptions(options);
  const sql = bindStatements(ctx.schema, CODE_STATEMENTS);
  const db = {
    query: async (op: keyof typeof sql, values: readonly unknown[]) =>
      (await runQuery(ctx, `authorizationCodes.${op}`, sql[op], values)).rows as Row[],
  };
  return Object.freeze({
    async save(hash: string, record: AuthorizationCodeRecord, ttlMs: number): Promise<void> {
      checkAuthorizationCode(hash, record, ttlMs);
      if (
        Object.values(record)
          .flat()
          .some((v) => typeof v === 'string' && v.includes('\u0000'))
      ) {
        throw new BulwarkError('invalid_argument', 'authorization code store: no field may contain NUL');
      }
      const rows = await db.query('save', [
        hash,
        record.clientId,
        record.redirectUri,
        record.codeChallenge,
        [...record.scopes],
        record.subject,
        record.familyId,
        ttlMs,
      ]);
      if (rows.length !== 1) {
        throw new BulwarkError('store_conflict', 'authorization code store: a code with this hash exists');
      }
    },
    async redeem(hash: string): Promise<RedeemResult> {
      if (typeof hash !== 'string' || !HASH.test(hash)) return { outcome: 'unknown' };
      const [row] = await db.query('redeem', [hash]);
      if (row === undefined) return { outcome: 'unknown' };
      return { outcome: row.reused === true ? 'reused' : 'redeemed', record: recordOf(row) };
    },
    async wasReused(hash: string): Promise<boolean> {
      if (typeof hash !== 'string' || !HASH.test(hash)) return false;
      const [row] = await db.query('wasReused', [hash]);
      return row?.reused === true;
    },
    sweep: (sweepOptions?: SweepOptions): Promise<SweepResult> =>
      sweepExpired(ctx, 'authorizationCodes.sweep', sql.sweep, sweepOptions),
  });
}
