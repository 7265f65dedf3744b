// The API-key store's statements (constants; `{schema}` bound once per store; values as
// parameters). Every record travels as JSON with the table's column names.

export const API_KEY_STATEMENTS = {
  /** $1 the row as JSON. No row back: the id exists (nothing written). */
  create: `INSERT INTO {schema}.api_keys SELECT (json_populate_record(NULL::{schema}.api_keys, $1::json)).*
ON CONFLICT (id) DO NOTHING RETURNING 1 AS created`,
  /** $1 id. */
  get: 'SELECT row_to_json(k) AS row FROM {schema}.api_keys k WHERE k.id = $1::text',
  /** $1 owner: oldest first. */
  list: 'SELECT row_to_json(k) AS row FROM {schema}.api_keys k WHERE k.owner_id = $1::text ORDER BY k.created_at, k.id',
  /** $1 id, $2 owner or null, $3 channel, $4 retention. */
  revoke: 'SELECT api_key_revoke AS row FROM {schema}.api_key_revoke($1::text, $2::text, $3::text, $4::bigint)',
  /** $1 id, $2 owner or null, $3 channel, $4 retention, $5 overlap, $6 the replacement's row as JSON. */
  rotate:
    'SELECT status, previous FROM {schema}.api_key_rotate($1::text, $2::text, $3::text, $4::bigint, $5::bigint, $6::json)',
  /** $1 id, $2 the least interval: lastUsedAt := the database's now unless younger (the row lock re-checks it). */
  touch: `UPDATE {schema}.api_keys SET last_used_at = {schema}.now_ms()
WHERE id = $1::text AND (last_used_at IS NULL OR {schema}.now_ms() - last_used_at >= $2::bigint)`,
  /** $1 id, $2 cost. No row: no such key. */
  spend: 'SELECT limited, ok, remaining FROM {schema}.api_key_spend($1::text, $2::double precision)',
  /** $1 channel, $2 "<instance> <token>": as the revocation store's heartbeat (see there). */
  heartbeat: `SELECT pg_notify($1::text, 'h ' || locked.seq || ' ' || $2::text)
FROM (SELECT seq FROM {schema}.api_key_sequence WHERE singleton FOR SHARE) locked`,
  /** $1 batch size: keys past their end plus retention, a bounded batch. */
  sweep: `DELETE FROM {schema}.api_keys WHERE ctid = ANY (ARRAY(SELECT ctid FROM {schema}.api_keys WHERE purge_after <= (SELECT {schema}.now_ms()) LIMIT $1 FOR UPDATE SKIP LOCKED))`,
} as const;
