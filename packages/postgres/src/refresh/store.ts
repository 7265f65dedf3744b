import { BulwarkError, ConfigError, type Duration, parseDuration } from '@bulwark/core';
import type { RefreshTokenStore } from '@bulwark/tokens';
import { type PostgresStoreOptions, resolveStoreOptions } from '../options.js';
import { runQuery } from '../query.js';
import { bindStatements } from '../sql.js';
import { type SweepOptions, type SweepResult, sweepExpired } from '../sweep.js';
import { checkCreateInput, checkId, checkRotateInput } from './checks.js';
import { familyStateOf, rotateResultOf } from './rows.js';
import { REFRESH_STATEMENTS } from './statements.js';

export interface PostgresRefreshTokenStoreOptions extends PostgresStoreOptions {
  /**
   * How long a family's row outlives its end (its idle or absolute expiry, or a revocation
   * before it), so that its tokens answer `expired` or `revoked` rather than `unknown` for a
   * while. Default `1d`; between `1m` and `30d`. Then `sweep()` may drop it.
   */
  readonly endedRetention?: Duration | undefined;
}

/** The refresh-token store on PostgreSQL, with its bounded sweep of ended families. */
export interface PostgresRefreshTokenStore extends RefreshTokenStore {
  /** Deletes families ended longer ago than `endedRetention` (and their spent hashes), in bounded batches. */
  sweep(options?: SweepOptions): Promise<SweepResult>;
}

/** The function found the caller's deadline past once it held its locks, and changed nothing. */
const late = (op: string) =>
  new BulwarkError(
    'store_deadline_passed',
    `refreshTokens.${op}: waited in PostgreSQL past the store's timeout; nothing changed`,
  );

/**
 * The refresh-token store on PostgreSQL (a `pg.Pool`, shared by every process; run
 * `migrate()` first). Each operation is one statement, one round trip: a plpgsql function
 * for each change, which takes the family's row lock (`SELECT ... FOR UPDATE`; a
 * per-subject advisory lock for the cap and revoke-all) and only then reads the database's
 * clock, so concurrent rotations of one token from any number of processes give exactly
 * one child, the grace window and the lifetimes are timed by one clock, and a rotation
 * racing a revocation never leaves a live token. PostgreSQL holds hashes of tokens and the
 * sealed child only, never a usable token.
 *
 * A failure rejects with `store_unavailable`, no answer within `timeout` with
 * `store_timeout` (both a 503 at an adapter): a rotation is never answered from anywhere
 * else. A rotation or creation that waited in PostgreSQL (for a row or subject lock) past
 * `timeout` changes nothing once it gets the lock (its caller has answered an error): the
 * client's retry finds its token still live. Call `sweep()` from a timer or job to reclaim
 * ended families.
 *
 * @example
 * ```ts
 * import { migrate, postgresRefreshTokenStore } from '@bulwark/postgres';
 * import { refreshTokens } from '@bulwark/tokens';
 * import pg from 'pg';
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, statement_timeout: 5_000 });
 * await migrate(pool);
 * const store = postgresRefreshTokenStore({ pool });
 * const refresh = refreshTokens({ store, grace: '10s' });
 * const issued = await refresh.issue({ subject: 'user-42', clientId: 'notes-spa', scopes: ['notes:read'] });
 * const outcome = await refresh.rotate(issued.token); // one round trip
 * setInterval(() => void store.sweep(), 60_000).unref();
 * ```
 */
export function postgresRefreshTokenStore(options: PostgresRefreshTokenStoreOptions): PostgresRefreshTokenStore {
  const ctx = resolveStoreOptions(options, ['endedRetention']);
  const retention = parseDuration(options.endedRetention ?? '1d', 'endedRetention');
  if (retention < 60_000 || retention > 30 * 86_400_000) {
    throw new ConfigError('endedRetention', 'expected 1m to 30d');
  }
  const sql = bindStatements(ctx.schema, REFRESH_STATEMENTS);
  const one = async (op: string, key: keyof typeof sql, values: readonly unknown[]) =>
    (await runQuery(ctx, `refreshTokens.${op}`, sql[key], values)).rows[0];

  return {
    async createFamily(input) {
      checkCreateInput(input);
      const row = await one('createFamily', 'create', [
        input.familyId,
        input.subject,
        input.clientId,
        [...input.scopes],
        input.tokenHash,
        input.absoluteLifetimeMs,
        input.idleLifetimeMs,
        input.maxFamilies,
        retention,
        ctx.timeoutMs,
      ]);
      if (row !== undefined && row.o_created === null) throw late('createFamily');
      if (row?.o_created !== true) {
        throw new BulwarkError('store_conflict', 'a refresh family with this id already exists');
      }
      return {
        now: Number(row.o_now),
        absoluteExpiresAt: Number(row.o_absolute),
        idleExpiresAt: Number(row.o_idle),
        evicted: (row.o_evicted as unknown[]).map(String),
      };
    },
    async rotate(input) {
      checkRotateInput(input);
      const row = await one('rotate', 'rotate', [
        input.familyId,
        input.presentedHash,
        input.childHash,
        input.sealedChild,
        input.graceMs,
        input.idleLifetimeMs,
        ctx.timeoutMs,
      ]);
      if (row?.o_outcome === 'late') throw late('rotate');
      return rotateResultOf(input.familyId, row);
    },
    async revokeFamily(familyId) {
      checkId('revokeFamily', familyId);
      return (await one('revokeFamily', 'revokeFamily', [familyId]))?.revoked === true;
    },
    async revokeSubject(subject) {
      checkId('revokeSubject', subject, 'subject');
      const row = await one('revokeSubject', 'revokeSubject', [subject]);
      return ((row?.ids as unknown[] | undefined) ?? []).map(String);
    },
    async getFamily(familyId) {
      checkId('getFamily', familyId);
      return familyStateOf(familyId, await one('getFamily', 'getFamily', [familyId]));
    },
    sweep: (sweepOptions) => sweepExpired(ctx, 'refreshTokens.sweep', sql.sweep, sweepOptions),
  };
}
