// The revocation store's statements: constants, `{schema}` bound once per store, values as
// parameters. Casts on every parameter (one parameter used twice must have one type).

export const REVOCATION_STATEMENTS = {
  /**
   * $1 kind letter, $2 id, $3 until, $4 channel. Keeps the entry (never shortening one that
   * holds longer), numbers it and announces it, in one statement: the counter row's lock
   * orders revocations, so notifications (sent at commit, in commit order) arrive in the
   * order of their numbers. Nothing is kept, numbered or sent when until has passed.
   */
  revoke: `WITH clock AS (SELECT {schema}.now_ms() AS now),
entry AS (
  INSERT INTO {schema}.revocations AS r (kind, id, until_ms)
  SELECT $1::text, $2::text, $3::bigint FROM clock WHERE $3::bigint > clock.now
  ON CONFLICT (kind, id) DO UPDATE SET until_ms = GREATEST(r.until_ms, EXCLUDED.until_ms)
  RETURNING 1
),
counter AS (
  UPDATE {schema}.revocation_sequence SET seq = seq + 1
  WHERE singleton AND EXISTS (SELECT 1 FROM entry)
  RETURNING seq
)
SELECT counter.seq, pg_notify($4::text, 'r ' || counter.seq || ' ' || $1::text || ' ' || $3::bigint || ' ' || $2::text)
FROM counter`,
  /** $1 jti, $2 sid (or null): each one's until, null when not revoked. */
  lookup: `SELECT (SELECT until_ms FROM {schema}.revocations WHERE kind = 'j' AND id = $1::text) AS jti,
  (SELECT until_ms FROM {schema}.revocations WHERE kind = 's' AND id = $2::text) AS sid`,
  /**
   * $1 the most entries the caller holds. The counter and up to $1 + 1 live entries, read
   * in one statement (one snapshot): the entries are exactly those numbered up to seq.
   */
  snapshot: `WITH clock AS (SELECT {schema}.now_ms() AS now)
SELECT s.seq, coalesce((
  SELECT json_agg(json_build_array(live.kind, live.id, live.until_ms))
  FROM (SELECT kind, id, until_ms FROM {schema}.revocations, clock WHERE until_ms > clock.now LIMIT $1::integer + 1) live
), '[]'::json) AS entries
FROM {schema}.revocation_sequence s WHERE s.singleton`,
  /**
   * $1 channel, $2 "<instance> <token>". Sends "h <seq> <instance> <token>". The share lock
   * waits for a revocation being numbered to commit, and holds the next one back until this
   * commits: the heartbeat's place in the channel matches the number it carries.
   */
  heartbeat: `SELECT pg_notify($1::text, 'h ' || locked.seq || ' ' || $2::text)
FROM (SELECT seq FROM {schema}.revocation_sequence WHERE singleton FOR SHARE) locked`,
  /** $1 batch size: expired entries, a bounded batch (see sweep.ts). */
  sweep: `DELETE FROM {schema}.revocations WHERE ctid = ANY (ARRAY(SELECT ctid FROM {schema}.revocations WHERE until_ms <= (SELECT {schema}.now_ms()) LIMIT $1 FOR UPDATE SKIP LOCKED))`,
} as const;
