// The authorization-code store's statements: one each, every value a parameter. Row locks
// do the rest: ON CONFLICT and UPDATE wait for a concurrent writer of the same code, then
// judge the row as it committed, so of N concurrent redemptions exactly one is first.
export const CODE_STATEMENTS = {
  /** Inserts, or replaces an expired code of the same hash; no row back: a live one exists. */
  save: `INSERT INTO {schema}.oauth_codes AS c
      (code_hash, client_id, redirect_uri, code_challenge, scopes, subject, family_id, expires_at)
    VALUES ($1, $2, $3, $4, $5::text[], $6, $7, {schema}.now_ms() + $8)
    ON CONFLICT (code_hash) DO UPDATE SET client_id = EXCLUDED.client_id, redirect_uri = EXCLUDED.redirect_uri,
      code_challenge = EXCLUDED.code_challenge, scopes = EXCLUDED.scopes, subject = EXCLUDED.subject,
      family_id = EXCLUDED.family_id, expires_at = EXCLUDED.expires_at, used = false, reused = false
    WHERE c.expires_at <= {schema}.now_ms()
    RETURNING 1 AS saved`,
  /** The one use: `reused` comes back true when it had been used before (SET reads the old row). */
  redeem: `UPDATE {schema}.oauth_codes SET reused = used, used = true
    WHERE code_hash = $1 AND expires_at > {schema}.now_ms()
    RETURNING reused, client_id, redirect_uri, code_challenge, scopes, subject, family_id`,
  wasReused: `SELECT reused FROM {schema}.oauth_codes
    WHERE code_hash = $1 AND expires_at > {schema}.now_ms()`,
  /** At most $1 expired codes. */
  sweep:
    'DELETE FROM {schema}.oauth_codes WHERE ctid = ANY (ARRAY(SELECT ctid FROM {schema}.oauth_codes WHERE expires_at <= (SELECT {schema}.now_ms()) LIMIT $1 FOR UPDATE SKIP LOCKED))',
} as const;
