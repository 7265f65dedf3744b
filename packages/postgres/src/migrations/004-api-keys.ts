import type { Migration } from './types.js';

/**
 * API keys: one row per key, only the key's digest (`hash`) kept, never the key. Times are
 * epoch ms; `purge_after` (the key's end plus the store's retention) is when the bounded
 * sweep may delete it. Revocation, rotation and credit spending are functions: each locks
 * the key's row, and revocation and rotation number their announcement under the counter
 * row's lock (so notifications arrive in the order of their numbers).
 */
export const apiKeys: Migration = {
  version: 4,
  name: 'api-keys',
  sql: `CREATE TABLE {schema}.api_keys (
  id text PRIMARY KEY,
  hash text NOT NULL,
  owner_id text NOT NULL,
  name text NOT NULL,
  environment text NOT NULL,
  start text NOT NULL,
  scopes text[] NOT NULL,
  metadata json NOT NULL,
  created_at bigint NOT NULL,
  expires_at bigint,
  revoked_at bigint,
  last_used_at bigint,
  replaced_by text,
  credits_remaining double precision,
  credits_refill_to double precision,
  credits_refill_every bigint,
  credits_refilled_at bigint,
  purge_after bigint
);
CREATE INDEX api_keys_owner ON {schema}.api_keys (owner_id, created_at, id);
CREATE INDEX api_keys_purge_after ON {schema}.api_keys (purge_after) WHERE purge_after IS NOT NULL;
CREATE TABLE {schema}.api_key_sequence (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  seq bigint NOT NULL
);
INSERT INTO {schema}.api_key_sequence (seq) VALUES (0);

CREATE FUNCTION {schema}.api_key_announce(p_channel text, p_id text) RETURNS void
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE v_seq bigint;
BEGIN
  UPDATE {schema}.api_key_sequence SET seq = seq + 1 WHERE singleton RETURNING seq INTO v_seq;
  PERFORM pg_notify(p_channel, 'i ' || v_seq || ' ' || p_id);
END
$fn$;

CREATE FUNCTION {schema}.api_key_revoke(p_id text, p_owner text, p_channel text, p_retention bigint)
RETURNS SETOF json LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
  v_now bigint := {schema}.now_ms();
  v_key {schema}.api_keys;
BEGIN
  SELECT * INTO v_key FROM {schema}.api_keys k WHERE k.id = p_id FOR UPDATE;
  IF NOT FOUND OR (p_owner IS NOT NULL AND v_key.owner_id <> p_owner) THEN RETURN; END IF;
  IF v_key.revoked_at IS NULL THEN
    UPDATE {schema}.api_keys k SET revoked_at = v_now,
      purge_after = least(coalesce(k.purge_after, v_now + p_retention), v_now + p_retention)
    WHERE k.id = p_id RETURNING * INTO v_key;
    PERFORM {schema}.api_key_announce(p_channel, p_id);
  END IF;
  RETURN NEXT row_to_json(v_key);
END
$fn$;

CREATE FUNCTION {schema}.api_key_rotate(
  p_id text, p_owner text, p_channel text, p_retention bigint, p_overlap bigint, p_replacement json
) RETURNS TABLE (status text, previous json)
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
  v_now bigint := {schema}.now_ms();
  v_key {schema}.api_keys;
  v_new {schema}.api_keys := json_populate_record(NULL::{schema}.api_keys, p_replacement);
  v_ends bigint;
BEGIN
  SELECT * INTO v_key FROM {schema}.api_keys k WHERE k.id = p_id FOR UPDATE;
  IF NOT FOUND OR (p_owner IS NOT NULL AND v_key.owner_id <> p_owner) THEN
    RETURN QUERY SELECT 'not_found'::text, NULL::json; RETURN;
  END IF;
  IF v_key.revoked_at IS NOT NULL THEN RETURN QUERY SELECT 'revoked'::text, NULL::json; RETURN; END IF;
  IF v_key.expires_at IS NOT NULL AND v_key.expires_at <= v_now THEN
    RETURN QUERY SELECT 'expired'::text, NULL::json; RETURN;
  END IF;
  IF v_key.replaced_by IS NOT NULL THEN RETURN QUERY SELECT 'rotated'::text, NULL::json; RETURN; END IF;
  INSERT INTO {schema}.api_keys SELECT (v_new).* ON CONFLICT (id) DO NOTHING;
  IF NOT FOUND THEN RETURN QUERY SELECT 'conflict'::text, NULL::json; RETURN; END IF;
  IF p_overlap = 0 THEN
    v_ends := v_now;
    UPDATE {schema}.api_keys k SET revoked_at = v_now, replaced_by = v_new.id WHERE k.id = p_id;
  ELSE
    v_ends := v_now + p_overlap;
    IF v_key.expires_at IS NOT NULL AND v_key.expires_at <= v_ends THEN
      v_ends := v_key.expires_at;
      UPDATE {schema}.api_keys k SET replaced_by = v_new.id WHERE k.id = p_id;
    ELSE
      UPDATE {schema}.api_keys k SET replaced_by = v_new.id, expires_at = v_ends WHERE k.id = p_id;
    END IF;
  END IF;
  UPDATE {schema}.api_keys k
    SET purge_after = least(coalesce(k.purge_after, v_ends + p_retention), v_ends + p_retention)
    WHERE k.id = p_id RETURNING * INTO v_key;
  PERFORM {schema}.api_key_announce(p_channel, p_id);
  RETURN QUERY SELECT 'ok'::text, row_to_json(v_key);
END
$fn$;

CREATE FUNCTION {schema}.api_key_spend(p_id text, p_cost double precision)
RETURNS TABLE (limited boolean, ok boolean, remaining double precision)
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
  v_now bigint := {schema}.now_ms();
  v_key {schema}.api_keys;
  v_remaining double precision;
  v_at bigint;
  v_ok boolean;
BEGIN
  SELECT * INTO v_key FROM {schema}.api_keys k WHERE k.id = p_id FOR UPDATE;
  IF NOT FOUND THEN RETURN; END IF;
  IF v_key.credits_remaining IS NULL THEN RETURN QUERY SELECT false, false, 0::double precision; RETURN; END IF;
  v_remaining := v_key.credits_remaining;
  v_at := v_key.credits_refilled_at;
  -- spendCredits (@bulwark/api-keys): any refill due, then the cost if it fits.
  IF v_key.credits_refill_every > 0 AND v_now >= v_at + v_key.credits_refill_every THEN
    v_at := v_at + ((v_now - v_at) / v_key.credits_refill_every) * v_key.credits_refill_every;
    v_remaining := greatest(v_remaining, v_key.credits_refill_to);
  END IF;
  v_ok := v_remaining >= p_cost;
  IF v_ok THEN v_remaining := v_remaining - p_cost; END IF;
  UPDATE {schema}.api_keys k SET credits_remaining = v_remaining, credits_refilled_at = v_at WHERE k.id = p_id;
  RETURN QUERY SELECT true, v_ok, v_remaining;
END
$fn$`,
};
