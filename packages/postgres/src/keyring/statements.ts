// The keyring store's statements (constants; `{schema}` bound once per store).

export const KEYRING_STATEMENTS = {
  /** $1 keyring, $2 now (or null: the database's clock). */
  load: `SELECT coalesce($2::bigint, {schema}.now_ms()) AS now, coalesce((
  SELECT json_agg(json_build_array(k.generation, k.kid, k.alg, k.created_at, k.activates_at, k.sealed) ORDER BY k.generation)
  FROM {schema}.keyring_keys k WHERE k.keyring = $1::text
), '[]'::json) AS records`,
  /** $1 keyring, $2 now or null, $3 generation, $4 activateAfter, $5 dropBelow, $6 kid, $7 alg, $8 sealed. */
  create: `SELECT now, created, records FROM {schema}.keyring_create($1::text, $2::bigint, $3::integer, $4::bigint, $5::integer, $6::text, $7::text, $8::text)`,
} as const;
