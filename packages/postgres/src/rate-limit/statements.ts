// The rate-limit store's statements, every value a parameter: the checks travel as arrays
// ($1 scopes, $2 keys, in the order the rows are locked), the algorithm as $3. `db_now` is
// the database's clock (migration 1's now_ms()), read after the rows are locked.
export const RATE_LIMIT_STATEMENTS = {
  /**
   * Takes the row lock of every key (inserting an empty row, `expires_at` 0, for a missing
   * one) in the order given, and answers each row as the last committer left it: the no-op
   * update takes the lock and re-reads the row even when a concurrent transaction is
   * writing it, so concurrent consumes of one key queue here, never decide on stale rows.
   */
  take: `INSERT INTO {schema}.rate_limits AS t (scope, key, algorithm)
    SELECT u.s, u.k, $3 FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS u(s, k, i) ORDER BY u.i
    ON CONFLICT (scope, key, algorithm) DO UPDATE SET scope = t.scope
    RETURNING t.scope, t.key, t.has_state, t.a, t.b, t.c, t.blocked_until, t.expires_at, {schema}.now_ms() AS db_now`,
  /** The rows of the keys as they are, without locking (a peek changes nothing). */
  read: `SELECT t.scope, t.key, t.has_state, t.a, t.b, t.c, t.blocked_until, t.expires_at, {schema}.now_ms() AS db_now
    FROM unnest($1::text[], $2::text[]) AS u(s, k)
    LEFT JOIN {schema}.rate_limits t ON t.scope = u.s AND t.key = u.k AND t.algorithm = $3`,
  /** Locks the existing rows of the keys in (scope, key) order, for a refund. */
  lock: `SELECT t.scope, t.key, t.has_state, t.a, t.b, t.c, t.blocked_until, t.expires_at, {schema}.now_ms() AS db_now
    FROM {schema}.rate_limits t JOIN unnest($1::text[], $2::text[]) AS u(s, k) ON t.scope = u.s AND t.key = u.k
    WHERE t.algorithm = $3 ORDER BY t.scope, t.key FOR UPDATE OF t`,
  /**
   * Writes the decided rows (state, block, and an expiry at least `ttl` from the
   * database's now), unless the database's clock has reached $10 (the caller's deadline
   * in the database's clock, or null): then nothing is written and the caller rolls back.
   */
  write: `UPDATE {schema}.rate_limits AS t SET has_state = w.h, a = w.a, b = w.b, c = w.c, blocked_until = w.bu,
      expires_at = greatest(t.expires_at, {schema}.now_ms() + w.ttl)
    FROM unnest($1::text[], $2::text[], $4::boolean[], $5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[], $9::bigint[])
      AS w(s, k, h, a, b, c, bu, ttl)
    WHERE t.scope = w.s AND t.key = w.k AND t.algorithm = $3 AND ($10::bigint IS NULL OR {schema}.now_ms() < $10::bigint)`,
  /** A refund's new state; the expiry stays as it is. Same deadline rule as `write` ($7). */
  refund: `UPDATE {schema}.rate_limits AS t SET a = w.a, b = w.b, c = w.c
    FROM unnest($1::text[], $2::text[], $4::bigint[], $5::bigint[], $6::bigint[]) AS w(s, k, a, b, c)
    WHERE t.scope = w.s AND t.key = w.k AND t.algorithm = $3 AND ($7::bigint IS NULL OR {schema}.now_ms() < $7::bigint)`,
  /**
   * Forgets the keys under every algorithm (the port names keys, not algorithms), unless
   * the database's clock has reached $3 (the deadline, or null), judged once: `go` false
   * then, and nothing deleted.
   */
  reset: `WITH clock AS (SELECT {schema}.now_ms() AS db_now),
    gate AS (SELECT db_now, ($3::bigint IS NULL OR db_now < $3::bigint) AS go FROM clock),
    gone AS (DELETE FROM {schema}.rate_limits t USING unnest($1::text[], $2::text[]) AS u(s, k)
      WHERE t.scope = u.s AND t.key = u.k AND (SELECT go FROM gate) RETURNING 1)
    SELECT db_now, go, (SELECT count(*) FROM gone) AS deleted FROM gate`,
  /** At most $1 expired rows. */
  sweep:
    'DELETE FROM {schema}.rate_limits WHERE ctid = ANY (ARRAY(SELECT ctid FROM {schema}.rate_limits WHERE expires_at <= (SELECT {schema}.now_ms()) LIMIT $1 FOR UPDATE SKIP LOCKED))',
} as const;
