// The refresh store's statements: each a call of one function of migration.ts (or, for
// reads, one SELECT), every value a parameter; `{schema}` is bound once per store.
export const REFRESH_STATEMENTS = {
  create: 'SELECT * FROM {schema}.refresh_create($1, $2, $3, $4::text[], $5, $6, $7, $8, $9, $10)',
  rotate: 'SELECT * FROM {schema}.refresh_rotate($1, $2, $3, $4, $5, $6, $7)',
  revokeFamily: 'SELECT {schema}.refresh_revoke_family($1) AS revoked',
  revokeSubject: 'SELECT {schema}.refresh_revoke_subject($1) AS ids',
  getFamily: `SELECT family_id, subject, client_id, scopes, generation, created_at, absolute_expires_at,
    idle_expires_at, revoked, {schema}.now_ms() AS now_ms
    FROM {schema}.refresh_families WHERE family_id = $1`,
  /** At most $1 families ended longer ago than the retention (their spent hashes go with them). */
  sweep:
    'DELETE FROM {schema}.refresh_families WHERE ctid = ANY (ARRAY(SELECT ctid FROM {schema}.refresh_families WHERE reclaim_at < (SELECT {schema}.now_ms()) LIMIT $1 FOR UPDATE SKIP LOCKED))',
} as const;
