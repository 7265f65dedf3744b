// The lockout store's statements: one function call of migration.ts per changing
// operation, one SELECT for inspect; every value a parameter. $n NULL: the database's clock.
export const LOCKOUT_STATEMENTS = {
  reserve: 'SELECT * FROM {schema}.lockout_reserve($1, $2, $3::bigint[], $4, $5)',
  refund: 'SELECT * FROM {schema}.lockout_refund($1, $2, $3::bigint[], $4, $5::integer[], $6)',
  /** A refund of kind unchecked (migration 104): the pair gives the attempt back instead of resetting. */
  undo: 'SELECT * FROM {schema}.lockout_undo($1, $2, $3::bigint[], $4, $5::integer[], $6)',
  clear: 'SELECT {schema}.lockout_clear($1, $2, $3, $4) AS now_ms',
  inspect: `SELECT n.now_ms, r.scope, r.count, r.window_end, r.level, r.locked_until, r.level_until, r.epoch,
      r.expires_at
    FROM (SELECT coalesce($3::bigint, {schema}.now_ms()) AS now_ms) n
    LEFT JOIN {schema}.lockout_records r
      ON (r.scope, r.account, r.ip) IN (('p', $1, $2), ('a', $1, ''), ('i', '', $2))`,
  /** At most $1 rows that say nothing any more. */
  sweep:
    'DELETE FROM {schema}.lockout_records WHERE ctid = ANY (ARRAY(SELECT ctid FROM {schema}.lockout_records WHERE expires_at <= (SELECT {schema}.now_ms()) LIMIT $1 FOR UPDATE SKIP LOCKED))',
} as const;
