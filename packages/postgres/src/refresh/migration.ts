import type { Migration } from '../migrations/types.js';

// Migration 101: the refresh-token families (port: @bulwark/tokens refresh/port.ts). One
// row per family, locked by every operation that changes it; the spent hashes of a family
// in refresh_spent (dropped with it). Times are epoch milliseconds from the database's
// clock, read once the row lock is held, so every app server agrees: migration 1's now_ms()
// expression, inlined (from plpgsql, a call of a VOLATILE SQL function is a whole executor call).
// Each changing operation is one plpgsql function, one round trip: its statements run in
// READ COMMITTED, each with a fresh snapshot, so a rotation that waited for the row lock
// sees the spent hash the rotation before it wrote.
// 1651663189: the advisory-lock class of a subject's creations and revoke-alls.

const SQL = `
CREATE TABLE {schema}.refresh_families (
  family_id text PRIMARY KEY,
  seq bigint GENERATED ALWAYS AS IDENTITY,
  subject text NOT NULL,
  client_id text NOT NULL,
  scopes text[] NOT NULL,
  created_at bigint NOT NULL,
  absolute_expires_at bigint NOT NULL,
  idle_expires_at bigint NOT NULL,
  revoked boolean NOT NULL DEFAULT false,
  generation integer NOT NULL DEFAULT 0,
  live_hash text NOT NULL,
  grace_hash text,
  grace_sealed text,
  grace_spent_at bigint,
  grace_ms bigint,
  -- When the sweep may drop the row: its end (idle_expires_at) plus the store's endedRetention.
  reclaim_at bigint NOT NULL
);
CREATE INDEX refresh_families_subject ON {schema}.refresh_families (subject, seq);
CREATE INDEX refresh_families_reclaim ON {schema}.refresh_families (reclaim_at);
CREATE TABLE {schema}.refresh_spent (
  family_id text NOT NULL REFERENCES {schema}.refresh_families (family_id) ON DELETE CASCADE,
  hash text NOT NULL,
  generation integer NOT NULL,
  PRIMARY KEY (family_id, hash)
);

CREATE FUNCTION {schema}.refresh_create(
  p_family_id text, p_subject text, p_client_id text, p_scopes text[], p_hash text,
  p_absolute_ms bigint, p_idle_ms bigint, p_max_families integer, p_retention_ms bigint, p_budget_ms bigint,
  OUT o_created boolean, OUT o_now bigint, OUT o_absolute bigint, OUT o_idle bigint, OUT o_evicted text[])
LANGUAGE plpgsql AS $fn$
BEGIN
  -- One subject's creations and revoke-alls take turns: the cap counts committed families only.
  PERFORM pg_advisory_xact_lock(1651663189, hashtext(p_subject));
  o_now := floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint;
  -- Past the caller's deadline (it waited that long for the lock): change nothing (o_created NULL).
  IF clock_timestamp() - statement_timestamp() > p_budget_ms * interval '1 millisecond' THEN RETURN; END IF;
  o_absolute := o_now + p_absolute_ms;
  o_idle := least(o_now + p_idle_ms, o_absolute);
  o_evicted := '{}';
  INSERT INTO {schema}.refresh_families
    (family_id, subject, client_id, scopes, created_at, absolute_expires_at, idle_expires_at, live_hash, reclaim_at)
  VALUES (p_family_id, p_subject, p_client_id, p_scopes, o_now, o_absolute, o_idle, p_hash, o_idle + p_retention_ms)
  ON CONFLICT (family_id) DO NOTHING;
  o_created := FOUND;
  IF NOT o_created THEN RETURN; END IF;
  WITH evict AS (
    SELECT f.family_id, f.seq FROM {schema}.refresh_families f
    WHERE f.subject = p_subject AND NOT f.revoked AND f.idle_expires_at > o_now AND f.family_id <> p_family_id
    ORDER BY f.seq DESC OFFSET greatest(p_max_families - 1, 0)
  ), gone AS (
    UPDATE {schema}.refresh_families f
    SET revoked = true, grace_hash = NULL, grace_sealed = NULL, grace_spent_at = NULL, grace_ms = NULL
    FROM evict WHERE f.family_id = evict.family_id
    RETURNING f.family_id, f.seq
  )
  SELECT coalesce(array_agg(gone.family_id ORDER BY gone.seq), '{}') INTO o_evicted FROM gone;
  DELETE FROM {schema}.refresh_spent s WHERE s.family_id = ANY (o_evicted);
END
$fn$;

CREATE FUNCTION {schema}.refresh_rotate(
  p_family_id text, p_presented text, p_child text, p_sealed text, p_grace_ms bigint, p_idle_ms bigint,
  p_budget_ms bigint, OUT o_outcome text, OUT o_now bigint, OUT o_generation integer, OUT o_sealed text,
  OUT o_idle bigint, OUT o_absolute bigint, OUT o_subject text, OUT o_client_id text, OUT o_scopes text[])
LANGUAGE plpgsql AS $fn$
DECLARE
  f {schema}.refresh_families%ROWTYPE;
  v_spent integer;
BEGIN
  -- The family's row lock orders every rotation of it; the time is read once it is held.
  SELECT * INTO f FROM {schema}.refresh_families WHERE family_id = p_family_id FOR UPDATE;
  o_now := floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint;
  -- Past the caller's deadline (it waited that long for the lock): change nothing. A late
  -- rotation would spend the token the client retries with (without grace: a reuse).
  IF clock_timestamp() - statement_timestamp() > p_budget_ms * interval '1 millisecond' THEN
    o_outcome := 'late';
    RETURN;
  END IF;
  IF f.family_id IS NULL THEN o_outcome := 'unknown'; RETURN; END IF;
  IF f.revoked THEN o_outcome := 'revoked'; RETURN; END IF;
  IF o_now >= f.idle_expires_at OR o_now >= f.absolute_expires_at THEN o_outcome := 'expired'; RETURN; END IF;
  o_subject := f.subject;
  o_client_id := f.client_id;
  o_scopes := f.scopes;
  o_absolute := f.absolute_expires_at;
  IF p_presented = f.live_hash THEN
    INSERT INTO {schema}.refresh_spent (family_id, hash, generation)
    VALUES (f.family_id, f.live_hash, f.generation) ON CONFLICT DO NOTHING;
    o_generation := f.generation + 1;
    o_idle := least(o_now + p_idle_ms, f.absolute_expires_at);
    UPDATE {schema}.refresh_families SET
      live_hash = p_child, generation = o_generation, idle_expires_at = o_idle,
      reclaim_at = f.reclaim_at + (o_idle - f.idle_expires_at),
      grace_hash = CASE WHEN p_grace_ms > 0 THEN f.live_hash END,
      grace_sealed = CASE WHEN p_grace_ms > 0 THEN p_sealed END,
      grace_spent_at = CASE WHEN p_grace_ms > 0 THEN o_now END,
      grace_ms = CASE WHEN p_grace_ms > 0 THEN p_grace_ms END
    WHERE family_id = f.family_id;
    o_outcome := 'rotated';
    RETURN;
  END IF;
  o_idle := f.idle_expires_at;
  IF f.grace_hash = p_presented AND o_now - f.grace_spent_at <= f.grace_ms THEN
    o_outcome := 'grace';
    o_generation := f.generation;
    o_sealed := f.grace_sealed;
    RETURN;
  END IF;
  SELECT s.generation INTO v_spent FROM {schema}.refresh_spent s WHERE s.family_id = f.family_id AND s.hash = p_presented;
  IF v_spent IS NULL THEN o_outcome := 'unknown'; RETURN; END IF;
  UPDATE {schema}.refresh_families SET
    revoked = true, grace_hash = NULL, grace_sealed = NULL, grace_spent_at = NULL, grace_ms = NULL
  WHERE family_id = f.family_id;
  DELETE FROM {schema}.refresh_spent s WHERE s.family_id = f.family_id;
  o_outcome := 'reused';
  o_generation := v_spent;
END
$fn$;

CREATE FUNCTION {schema}.refresh_revoke_family(p_family_id text) RETURNS boolean
LANGUAGE plpgsql AS $fn$
BEGIN
  UPDATE {schema}.refresh_families SET
    revoked = true, grace_hash = NULL, grace_sealed = NULL, grace_spent_at = NULL, grace_ms = NULL
  WHERE family_id = p_family_id AND NOT revoked;
  IF NOT FOUND THEN RETURN false; END IF;
  DELETE FROM {schema}.refresh_spent s WHERE s.family_id = p_family_id;
  RETURN true;
END
$fn$;

CREATE FUNCTION {schema}.refresh_revoke_subject(p_subject text) RETURNS text[]
LANGUAGE plpgsql AS $fn$
DECLARE
  v_now bigint;
  v_ids text[];
BEGIN
  PERFORM pg_advisory_xact_lock(1651663189, hashtext(p_subject));
  v_now := floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint;
  WITH gone AS (
    UPDATE {schema}.refresh_families f SET
      revoked = true, grace_hash = NULL, grace_sealed = NULL, grace_spent_at = NULL, grace_ms = NULL
    WHERE f.subject = p_subject AND NOT f.revoked AND f.idle_expires_at > v_now AND f.absolute_expires_at > v_now
    RETURNING f.family_id, f.seq
  )
  SELECT coalesce(array_agg(gone.family_id ORDER BY gone.seq), '{}') INTO v_ids FROM gone;
  DELETE FROM {schema}.refresh_spent s WHERE s.family_id = ANY (v_ids);
  RETURN v_ids;
END
$fn$;
`;

export const REFRESH_MIGRATION: Migration = { version: 101, name: 'refresh-token-families', sql: SQL };
