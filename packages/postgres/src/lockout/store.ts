import { BulwarkError, type Clock, ConfigError, type LockoutScope } from '@bulwark/core';
import {
  clearHorizon,
  currentStates,
  EMPTY_STATE,
  type EngagedLock,
  type LockoutRules,
  type LockoutStatus,
  type LockoutStore,
  type LockoutTarget,
  lockDuration,
  type ScopeState,
  statusOf,
} from '@bulwark/lockout';
import { type PostgresStoreOptions, resolveStoreOptions } from '../options.js';
import { runQuery } from '../query.js';
import { bindStatements } from '../sql.js';
import { type SweepOptions, type SweepResult, sweepExpired } from '../sweep.js';
import { LOCKOUT_STATEMENTS } from './statements.js';

export interface PostgresLockoutStoreOptions extends PostgresStoreOptions {
  /**
   * Tests only: the time passed to the functions instead of the database's clock. Leave it
   * out in production, so that every process counts on one clock (the database's).
   */
  readonly clock?: Clock | undefined;
}

/** The lockout store on PostgreSQL, with its bounded sweep of records that say nothing any more. */
export interface PostgresLockoutStore extends LockoutStore {
  /** Deletes expired counter rows in bounded batches (an expired row already reads as empty). */
  sweep(options?: SweepOptions): Promise<SweepResult>;
}

type Row = Record<string, unknown>;
const SCOPES: readonly LockoutScope[] = ['pair', 'account', 'ip'];

const rulesArg = (rules: LockoutRules) =>
  SCOPES.flatMap((scope) => {
    const rule = rules[scope];
    return [rule.attempts, rule.windowMs, rule.lockMs, rule.maxLockMs];
  });

function checkTarget(op: string, target: LockoutTarget): void {
  for (const value of [target?.account, target?.ip]) {
    if (typeof value !== 'string' || value.includes('\u0000')) {
      throw new BulwarkError('invalid_argument', `lockout store ${op}: account and ip must be strings without NUL`);
    }
  }
}

/** A stored row as `memory-store.ts` reads a record: one past its expiry is empty. */
function stateOf(row: Row | undefined, now: number): ScopeState {
  if (row === undefined || Number(row.expires_at) <= now) return EMPTY_STATE;
  return {
    count: Number(row.count),
    windowEnd: Number(row.window_end),
    level: Number(row.level),
    lockedUntil: Number(row.locked_until),
    levelUntil: Number(row.level_until),
    epoch: Number(row.epoch),
  };
}

/**
 * The lockout store on PostgreSQL (a `pg.Pool`; run `migrate()` first), for deployments
 * that keep no Redis: sign-in counters shared by every process, on the database's clock.
 * Each operation is one round trip: `reserve`, `refund` and `clear` are one plpgsql
 * function each (the twins of `@bulwark/lockout`'s transitions, checked against the memory
 * store by a differential property test), which lock the account's, the IP's and the
 * pair's rows in one fixed order before reading them, so the check-then-count race cannot
 * happen: of 50 parallel wrong passwords for one account, exactly 5 reach the check.
 * `inspect` is one SELECT, run through the same transitions in JavaScript.
 *
 * @example
 * ```ts
 * import { lockout } from '@bulwark/lockout';
 * import { migrate, postgresLockoutStore } from '@bulwark/postgres';
 * import pg from 'pg';
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, statement_timeout: 5_000 });
 * await migrate(pool);
 * const store = postgresLockoutStore({ pool });
 * const signIns = lockout({ store });
 * setInterval(() => void store.sweep(), 60_000).unref();
 * ```
 */
export function postgresLockoutStore(options: PostgresLockoutStoreOptions): PostgresLockoutStore {
  const ctx = resolveStoreOptions(options, ['clock']);
  const clock = options.clock;
  if (clock !== undefined && typeof clock?.now !== 'function') {
    throw new ConfigError('clock', 'expected a Clock ({ now(): number })');
  }
  const sql = bindStatements(ctx.schema, LOCKOUT_STATEMENTS);
  const db = {
    query: async (op: keyof typeof sql, values: readonly unknown[]) =>
      (await runQuery(ctx, `lockout.${op}`, sql[op], values)).rows as Row[],
  };
  const now = () => (clock === undefined ? null : clock.now());
  return {
    async reserve(target, rules) {
      checkTarget('reserve', target);
      const [row] = await db.query('reserve', [
        target.account,
        target.ip,
        rulesArg(rules),
        clearHorizon(rules.pair),
        now(),
      ]);
      if (row === undefined) throw new BulwarkError('store_unavailable', 'lockout store reserve: no answer');
      const at = Number(row.o_now);
      if (row.o_allowed !== true) {
        return { allowed: false, now: at, scope: row.o_scope as LockoutScope, until: Number(row.o_until) };
      }
      const [counts, levels, untils] = [row.o_counts, row.o_levels, row.o_untils].map((v) =>
        (v as unknown[]).map(Number),
      ) as [number[], number[], number[]];
      const engaged: EngagedLock[] = [];
      SCOPES.forEach((scope, i) => {
        const level = levels[i] as number;
        if (level > 0) {
          engaged.push({ scope, level, until: untils[i] as number, durationMs: lockDuration(rules[scope], level) });
        }
      });
      return {
        allowed: true,
        now: at,
        counts: { pair: counts[0] as number, account: counts[1] as number, ip: counts[2] as number },
        engaged,
      };
    },
    async refund(target, rules, engaged, kind = 'success') {
      checkTarget('refund', target);
      const levelOf = (scope: LockoutScope) => engaged.find((lock) => lock.scope === scope)?.level ?? 0;
      const args = [target.account, target.ip, rulesArg(rules), clearHorizon(rules.pair), SCOPES.map(levelOf), now()];
      // unchecked (migration 104): the pair gives the attempt back instead of being reset.
      const [row] = kind === 'unchecked' ? await db.query('undo', args) : await db.query('refund', args);
      if (row === undefined) throw new BulwarkError('store_unavailable', 'lockout store refund: no answer');
      return { now: Number(row.o_now), lifted: (row.o_lifted as LockoutScope[]).slice() };
    },
    async clear(target, rules) {
      const { account, ip } = target;
      for (const value of [account, ip]) {
        if (value !== undefined && (typeof value !== 'string' || value.includes('\u0000'))) {
          throw new BulwarkError('invalid_argument', 'lockout store clear: account and ip must be strings without NUL');
        }
      }
      const [row] = await db.query('clear', [account ?? null, ip ?? null, clearHorizon(rules.pair), now()]);
      return { now: Number(row?.now_ms) };
    },
    async inspect(target, _rules): Promise<LockoutStatus> {
      checkTarget('inspect', target);
      const rows = await db.query('inspect', [target.account, target.ip, now()]);
      const at = Number(rows[0]?.now_ms);
      const byScope = (scope: string) =>
        stateOf(
          rows.find((row) => row.scope === scope),
          at,
        );
      const states = currentStates({ pair: byScope('p'), account: byScope('a'), ip: byScope('i') }, at);
      return {
        now: at,
        pair: statusOf(states.pair, at),
        account: statusOf(states.account, at),
        ip: statusOf(states.ip, at),
      };
    },
    sweep: (sweepOptions) => sweepExpired(ctx, 'lockout.sweep', sql.sweep, sweepOptions),
  };
}
