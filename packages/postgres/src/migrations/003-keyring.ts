import type { Migration } from './types.js';

/**
 * Keyrings: per keyring name, the highest generation ever created (`head`, kept even when
 * every record is dropped, so a generation is never reused), and its records, the private
 * key sealed by the keyring (AES-256-GCM, `v1.<iv>.<ciphertext>`), never in the clear.
 * `keyring_create` is the compare-and-set, one call: it locks the keyring's row, so its
 * later statements (each with a fresh snapshot) see what a concurrent winner committed.
 */
export const keyring: Migration = {
  version: 3,
  name: 'keyring',
  sql: `CREATE TABLE {schema}.keyrings (
  name text PRIMARY KEY,
  head integer NOT NULL
);
CREATE TABLE {schema}.keyring_keys (
  keyring text NOT NULL REFERENCES {schema}.keyrings (name) ON DELETE CASCADE,
  generation integer NOT NULL CHECK (generation > 0),
  kid text NOT NULL,
  alg text NOT NULL,
  created_at bigint NOT NULL,
  activates_at bigint NOT NULL,
  sealed text NOT NULL CHECK (sealed LIKE 'v1.%'),
  PRIMARY KEY (keyring, generation)
);
CREATE FUNCTION {schema}.keyring_create(
  p_keyring text, p_now bigint, p_generation integer, p_activate_after bigint, p_drop_below integer,
  p_kid text, p_alg text, p_sealed text
) RETURNS TABLE (now bigint, created boolean, records json)
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
  v_now bigint := coalesce(p_now, {schema}.now_ms());
  v_head integer;
  v_created boolean := false;
BEGIN
  INSERT INTO {schema}.keyrings (name, head) VALUES (p_keyring, 0) ON CONFLICT (name) DO NOTHING;
  SELECT k.head INTO v_head FROM {schema}.keyrings k WHERE k.name = p_keyring FOR UPDATE;
  IF p_generation = v_head + 1 THEN
    DELETE FROM {schema}.keyring_keys k WHERE k.keyring = p_keyring AND k.generation < p_drop_below;
    INSERT INTO {schema}.keyring_keys (keyring, generation, kid, alg, created_at, activates_at, sealed)
      VALUES (p_keyring, p_generation, p_kid, p_alg, v_now, v_now + p_activate_after, p_sealed);
    UPDATE {schema}.keyrings k SET head = p_generation WHERE k.name = p_keyring;
    v_created := true;
  END IF;
  RETURN QUERY SELECT v_now, v_created, coalesce((
    SELECT json_agg(json_build_array(k.generation, k.kid, k.alg, k.created_at, k.activates_at, k.sealed) ORDER BY k.generation)
    FROM {schema}.keyring_keys k WHERE k.keyring = p_keyring
  ), '[]'::json);
END
$fn$`,
};
