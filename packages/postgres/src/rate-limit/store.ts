import { BulwarkError } from '@bulwark/core';
import {
  ALGORITHMS,
  type Algorithm,
  type AlgorithmState,
  type ConsumeResult,
  decide,
  type KeyRecord,
  type LimitCheck,
  type RateLimitStore,
  refundState,
  type StoreKey,
} from '@bulwark/ratelimit';
import { toStoreError } from '../errors.js';
import { type PostgresStoreOptions, resolveStoreOptions } from '../options.js';
import { inTransaction, type Query, runQuery, withClient } from '../query.js';
import { bindStatements } from '../sql.js';
import { type SweepOptions, type SweepResult, sweepExpired } from '../sweep.js';
import { storedText } from './keys.js';
import { RATE_LIMIT_STATEMENTS } from './statements.js';

export type PostgresRateLimitStoreOptions = PostgresStoreOptions;

/** The rate-limit store on PostgreSQL, with its bounded sweep of expired counters. */
export interface PostgresRateLimitStore extends RateLimitStore {
  consume(
    algorithm: Algorithm,
    checks: readonly LimitCheck[],
    cost: number,
    now?: number,
    deadline?: number,
  ): Promise<ConsumeResult>;
  peek(algorithm: Algorithm, checks: readonly LimitCheck[], cost: number, now?: number): Promise<ConsumeResult>;
  refund(
    algorithm: Algorithm,
    checks: readonly LimitCheck[],
    cost: number,
    now?: number,
    deadline?: number,
  ): Promise<void>;
  reset(keys: readonly StoreKey[], deadline?: number): Promise<void>;
  /** Deletes expired counter rows in bounded batches (an expired row already reads as absent). */
  sweep(options?: SweepOptions): Promise<SweepResult>;
}

interface Row {
  scope: string;
  key: string;
  has_state: boolean | null;
  a: string | null;
  b: string | null;
  c: string | null;
  blocked_until: string | null;
  expires_at: string | null;
  db_now: string;
}

/** The distinct stored (scope, key) pairs of some checks, sorted: the order rows are locked in. */
interface Keys {
  readonly scopes: string[];
  readonly keys: string[];
  /** For each check, its pair as `scope\u0000key` (the escaped forms hold no NUL). */
  readonly ids: string[];
}

const idOf = (scope: string, key: string): string => scope.concat('\u0000', key);

function keysOf(checks: readonly StoreKey[]): Keys {
  const ids: string[] = new Array(checks.length);
  const pairs = new Map<string, [string, string]>();
  for (let i = 0; i < checks.length; i++) {
    const check = checks[i] as StoreKey;
    const scope = storedText(check.scope);
    const key = storedText(check.key);
    const id = idOf(scope, key);
    ids[i] = id;
    pairs.set(id, [scope, key]);
  }
  // One fixed order for every transaction, so that two requests sharing keys never deadlock.
  const sorted = [...pairs.values()].sort((x, y) =>
    x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : 0,
  );
  return { scopes: sorted.map((p) => p[0]), keys: sorted.map((p) => p[1]), ids };
}

/** A row as `decide` reads a key: absent or past its expiry (database time) is no record. */
function recordOf(row: Row | undefined, dbNow: number): KeyRecord {
  if (row === undefined || row.expires_at === null || Number(row.expires_at) <= dbNow) {
    return { state: undefined, blockedUntil: 0 };
  }
  return {
    state: row.has_state ? [Number(row.a), Number(row.b), Number(row.c)] : undefined,
    blockedUntil: Number(row.blocked_until),
  };
}

function rowsById(rows: readonly Row[]): Map<string, Row> {
  const byId = new Map<string, Row>();
  for (const row of rows) if (row.scope !== null) byId.set(idOf(row.scope, row.key), row);
  return byId;
}

/** The latest database time among the rows (each read after the locks before it). */
const dbNowOf = (rows: readonly Row[]): number => {
  let now = 0;
  for (const row of rows) now = Math.max(now, Number(row.db_now));
  return now;
};

/**
 * A write or a reset reached PostgreSQL at or after its caller's deadline and changed
 * nothing: the caller has answered, or is about to, from its failure mode.
 */
class PostgresDeadlineError extends BulwarkError {
  constructor(op: string) {
    super('store_deadline_passed', `${op}: PostgreSQL reached the deadline first and changed nothing`);
    this.name = 'PostgresDeadlineError';
  }
}

function checkAlgorithm(algorithm: Algorithm): void {
  if (!ALGORITHMS.includes(algorithm)) {
    throw new BulwarkError('invalid_argument', 'rate-limit store: unknown algorithm');
  }
}

/**
 * A rate-limit store on PostgreSQL (a `pg.Pool`, shared by every process; run `migrate()`
 * first), for deployments without Redis: every process on one database shares the counts.
 * `consume` is one transaction: it locks the rows of every limit of the request in one
 * fixed order (creating missing ones), reads the database's clock, decides with the same
 * pure functions as the memory store (several limits all or nothing, blocks), writes back
 * and commits; concurrent requests on one key queue on its row lock, so 200 parallel
 * checks of a limit of 37 admit exactly 37. Time is the database's (`clock_timestamp()`),
 * so app servers with skewed clocks agree; a `now` argument (tests) replaces it in the
 * algorithms, while expiry stays on the database's clock. Every row has an expiry (an
 * expired row reads as absent; `sweep()` deletes them in bounded batches). A call given a
 * deadline writes nothing once the database's clock (translated from the caller's through
 * the offset learned from the last answer) has reached it, and rejects instead.
 *
 * @example
 * ```ts
 * import { migrate, postgresRateLimitStore } from '@bulwark/postgres';
 * import { rateLimitPolicy } from '@bulwark/ratelimit';
 * import pg from 'pg';
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, statement_timeout: 5_000 });
 * await migrate(pool);
 * const store = postgresRateLimitStore({ pool });
 * const limiter = rateLimitPolicy({ store, limits: [{ name: 'anon', limit: 100, window: '1m' }] });
 * setInterval(() => void store.sweep(), 60_000).unref();
 * ```
 */
export function postgresRateLimitStore(options: PostgresRateLimitStoreOptions): PostgresRateLimitStore {
  const ctx = resolveStoreOptions(options);
  const sql = bindStatements(ctx.schema, RATE_LIMIT_STATEMENTS);
  /**
   * The database's clock minus this machine's (ms), learned from every answer (the last
   * wins). Read after the answer arrived, it is low by the answer's transit, so a deadline
   * translated with it comes early, never late. 0 until the first answer.
   */
  let offset = 0;
  const learn = (dbNow: number): void => {
    if (dbNow > 0) offset = dbNow - Date.now();
  };
  /** The caller's deadline in the database's clock; null without one or with a given `now`. */
  const dbDeadline = (deadline: number | undefined, now: number | undefined): number | null =>
    deadline === undefined || now !== undefined ? null : Math.floor(deadline + offset);
  const passed = (deadline: number | undefined, now: number | undefined): boolean =>
    deadline !== undefined && now === undefined && Date.now() >= deadline;

  const check = async (
    query: Query,
    algorithm: Algorithm,
    checks: readonly LimitCheck[],
    cost: number,
    now: number | undefined,
    commit: boolean,
    deadline: number | undefined,
  ): Promise<ConsumeResult> => {
    const keys = keysOf(checks);
    const rows = (await query<Row>(commit ? sql.take : sql.read, [keys.scopes, keys.keys, algorithm])).rows;
    const dbNow = dbNowOf(rows);
    learn(dbNow);
    const at = now ?? dbNow;
    const byId = rowsById(rows);
    const records = keys.ids.map((id) => recordOf(byId.get(id), dbNow));
    const { result, writes } = decide(algorithm, checks, records, cost, at, commit);
    if (!commit) return result;
    // The rows to write, one per distinct key (the last check naming a key wins, as in Redis).
    const out = new Map<string, [boolean, AlgorithmState, number, number]>();
    for (let i = 0; i < checks.length; i++) {
      const write = writes[i];
      if (write === undefined) continue;
      const record = records[i] as KeyRecord;
      const state = write.state ?? record.state;
      out.set(keys.ids[i] as string, [
        state !== undefined,
        state ?? [0, 0, 0],
        write.blockedUntil ?? record.blockedUntil,
        write.ttlMs,
      ]);
    }
    if (out.size === 0) return result;
    if (passed(deadline, now)) throw new PostgresDeadlineError('rateLimit.consume');
    const ids = [...out.keys()];
    const values = [...out.values()];
    const written = await query(sql.write, [
      ids.map((id) => id.slice(0, id.indexOf('\u0000'))),
      ids.map((id) => id.slice(id.indexOf('\u0000') + 1)),
      algorithm,
      values.map((v) => v[0]),
      values.map((v) => v[1][0]),
      values.map((v) => v[1][1]),
      values.map((v) => v[1][2]),
      values.map((v) => v[2]),
      values.map((v) => v[3]),
      dbDeadline(deadline, now),
    ]);
    // Fewer rows than asked: the deadline came first (the transaction rolls back).
    if (written.rowCount !== ids.length) throw new PostgresDeadlineError('rateLimit.consume');
    return result;
  };

  const run = (
    algorithm: Algorithm,
    checks: readonly LimitCheck[],
    cost: number,
    now: number | undefined,
    commit: boolean,
    deadline: number | undefined,
  ): Promise<ConsumeResult> => {
    try {
      checkAlgorithm(algorithm);
      if (checks.length === 0) return Promise.resolve({ now: now ?? Date.now() + offset, allowed: true, outcomes: [] });
      if (passed(deadline, now)) throw new PostgresDeadlineError('rateLimit.consume');
    } catch (error) {
      return Promise.reject(error);
    }
    if (!commit) {
      // One statement, no lock and no transaction: a peek changes nothing.
      return withClient(ctx, 'rateLimit.peek', async (query) => {
        try {
          return await check(query, algorithm, checks, cost, now, false, undefined);
        } catch (error) {
          throw toStoreError(error, 'rateLimit.peek');
        }
      });
    }
    return inTransaction(ctx, 'rateLimit.consume', 'read committed', (query) =>
      check(query, algorithm, checks, cost, now, true, deadline),
    );
  };

  const store: PostgresRateLimitStore = {
    name: 'postgres',
    consume: (algorithm, checks, cost, now, deadline) => run(algorithm, checks, cost, now, true, deadline),
    peek: (algorithm, checks, cost, now) => run(algorithm, checks, cost, now, false, undefined),
    async refund(algorithm, checks, cost, now, deadline) {
      checkAlgorithm(algorithm);
      if (checks.length === 0) return;
      if (passed(deadline, now)) throw new PostgresDeadlineError('rateLimit.refund');
      const keys = keysOf(checks);
      await inTransaction(ctx, 'rateLimit.refund', 'read committed', async (query) => {
        const rows = (await query<Row>(sql.lock, [keys.scopes, keys.keys, algorithm])).rows;
        if (rows.length === 0) return;
        const dbNow = dbNowOf(rows);
        learn(dbNow);
        const at = now ?? dbNow;
        const byId = rowsById(rows);
        // Refunded in turn, so a key named twice gets both refunds, as in the memory store.
        const next = new Map<string, AlgorithmState>();
        for (let i = 0; i < checks.length; i++) {
          const id = keys.ids[i] as string;
          const state = next.get(id) ?? recordOf(byId.get(id), dbNow).state;
          if (state === undefined) continue;
          const c = checks[i] as LimitCheck;
          next.set(id, refundState(algorithm, state, at, cost, c.limit, c.windowMs));
        }
        if (next.size === 0) return;
        if (passed(deadline, now)) throw new PostgresDeadlineError('rateLimit.refund');
        const ids = [...next.keys()];
        const states = [...next.values()];
        const written = await query(sql.refund, [
          ids.map((id) => id.slice(0, id.indexOf('\u0000'))),
          ids.map((id) => id.slice(id.indexOf('\u0000') + 1)),
          algorithm,
          states.map((s) => s[0]),
          states.map((s) => s[1]),
          states.map((s) => s[2]),
          dbDeadline(deadline, now),
        ]);
        if (written.rowCount !== ids.length) throw new PostgresDeadlineError('rateLimit.refund');
      });
    },
    async reset(storeKeys, deadline) {
      if (storeKeys.length === 0) return;
      if (passed(deadline, undefined)) throw new PostgresDeadlineError('rateLimit.reset');
      const keys = keysOf(storeKeys);
      const [row] = (
        await runQuery<{ db_now: string; go: boolean }>(ctx, 'rateLimit.reset', sql.reset, [
          keys.scopes,
          keys.keys,
          dbDeadline(deadline, undefined),
        ])
      ).rows;
      if (row !== undefined) learn(Number(row.db_now));
      if (row?.go !== true) throw new PostgresDeadlineError('rateLimit.reset');
    },
    sweep: (sweepOptions?: SweepOptions): Promise<SweepResult> =>
      sweepExpired(ctx, 'rateLimit.sweep', sql.sweep, sweepOptions),
  };
  return Object.freeze(store);
}
