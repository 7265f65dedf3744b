import type { Migration } from '../migrations/types.js';

// Migration 103: the lockout counters (port: @bulwark/lockout port.ts), for deployments
// without Redis. One row per scope: the pair (account, ip), the account (ip ''), the IP
// (account ''), holding @bulwark/lockout's ScopeState and when it stops saying anything
// (expires_at; a row past it reads as empty and the sweep reclaims it). The functions are
// the plpgsql twins of steps.ts and transitions.ts (differential.test.ts runs both on the
// same generated sequences); each operation is one function, one round trip, which locks
// its rows in one order (account, IP, pair) so that concurrent attempts never deadlock.
// Times are epoch ms: the database's clock (migration 1's now_ms() expression, inlined), or
// the caller's p_now in tests.

const SQL = `
CREATE TABLE {schema}.lockout_records (
  scope "char" NOT NULL,
  account text NOT NULL,
  ip text NOT NULL,
  count integer NOT NULL DEFAULT 0,
  window_end bigint NOT NULL DEFAULT 0,
  level integer NOT NULL DEFAULT 0,
  locked_until bigint NOT NULL DEFAULT 0,
  level_until bigint NOT NULL DEFAULT 0,
  epoch bigint NOT NULL DEFAULT 0,
  expires_at bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (scope, account, ip)
);
CREATE INDEX lockout_records_expiry ON {schema}.lockout_records (expires_at);

-- One scope's state, as @bulwark/lockout's ScopeState.
CREATE TYPE {schema}.lockout_state AS (
  count integer, window_end bigint, level integer, locked_until bigint, level_until bigint, epoch bigint
);

-- Locks one record, inserting an empty one (expires_at 0) when it is missing: the no-op
-- update takes the row lock even on a row another transaction is about to delete.
CREATE FUNCTION {schema}.lockout_take(p_scope "char", p_account text, p_ip text)
RETURNS {schema}.lockout_records LANGUAGE sql AS $fn$
  INSERT INTO {schema}.lockout_records AS t (scope, account, ip) VALUES (p_scope, p_account, p_ip)
  ON CONFLICT (scope, account, ip) DO UPDATE SET scope = t.scope
  RETURNING t.*
$fn$;

-- steps.ts currentState over a stored record (an expired record reads as empty).
CREATE FUNCTION {schema}.lockout_current(r {schema}.lockout_records, p_now bigint)
RETURNS {schema}.lockout_state LANGUAGE sql IMMUTABLE AS $fn$
  SELECT CASE WHEN r.expires_at <= p_now THEN ROW(0, 0, 0, 0, 0, 0)::{schema}.lockout_state
  ELSE ROW(
    CASE WHEN r.window_end <= p_now THEN 0 ELSE r.count END,
    CASE WHEN r.window_end <= p_now THEN 0 ELSE r.window_end END,
    CASE WHEN r.level_until <= p_now THEN 0 ELSE r.level END,
    CASE WHEN r.level_until <= p_now THEN 0 ELSE r.locked_until END,
    CASE WHEN r.level_until <= p_now THEN 0 ELSE r.level_until END,
    r.epoch)::{schema}.lockout_state END
$fn$;

-- steps.ts lockDuration (numeric: lockMs * 2^40 overflows bigint).
CREATE FUNCTION {schema}.lockout_duration(p_lock bigint, p_max bigint, p_level integer)
RETURNS bigint LANGUAGE sql IMMUTABLE AS $fn$
  SELECT least(p_lock::numeric * power(2::numeric, least(p_level - 1, 40)), p_max::numeric)::bigint
$fn$;

-- steps.ts countAttempt's next state (the rule: attempts, windowMs, lockMs, maxLockMs).
CREATE FUNCTION {schema}.lockout_count(s {schema}.lockout_state, p_rule bigint[], p_now bigint)
RETURNS {schema}.lockout_state LANGUAGE plpgsql IMMUTABLE AS $fn$
DECLARE
  v_until bigint;
BEGIN
  IF s.count + 1 < p_rule[1] THEN
    RETURN ROW(s.count + 1, CASE WHEN s.count = 0 THEN p_now + p_rule[2] ELSE s.window_end END,
      s.level, s.locked_until, s.level_until, s.epoch)::{schema}.lockout_state;
  END IF;
  v_until := p_now + {schema}.lockout_duration(p_rule[3], p_rule[4], s.level + 1);
  RETURN ROW(0, 0, s.level + 1, v_until, v_until + p_rule[4], s.epoch)::{schema}.lockout_state;
END
$fn$;

-- steps.ts giveBack's next state.
CREATE FUNCTION {schema}.lockout_give_back(s {schema}.lockout_state, p_rule bigint[], p_engaged integer, p_now bigint)
RETURNS {schema}.lockout_state LANGUAGE plpgsql IMMUTABLE AS $fn$
BEGIN
  IF p_engaged > 0 AND s.level = p_engaged AND s.locked_until > p_now THEN
    RETURN ROW(p_rule[1] - 1, CASE WHEN p_rule[1] > 1 THEN p_now + p_rule[2] ELSE 0 END, p_engaged - 1, 0,
      CASE WHEN p_engaged > 1 THEN s.level_until ELSE 0 END, s.epoch)::{schema}.lockout_state;
  END IF;
  IF s.count = 0 THEN RETURN s; END IF;
  RETURN ROW(s.count - 1, CASE WHEN s.count = 1 THEN 0 ELSE s.window_end END,
    s.level, s.locked_until, s.level_until, s.epoch)::{schema}.lockout_state;
END
$fn$;

-- Writes a locked record with its lifetime (steps.ts lifetime / accountLifetime); none left: deleted.
CREATE FUNCTION {schema}.lockout_put(p_scope "char", p_account text, p_ip text, s {schema}.lockout_state,
  p_horizon bigint, p_now bigint) RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
  v_ttl bigint := greatest(0, s.window_end - p_now, s.locked_until - p_now, s.level_until - p_now);
BEGIN
  IF p_horizon IS NOT NULL AND s.epoch > 0 THEN v_ttl := greatest(v_ttl, s.epoch + p_horizon - p_now); END IF;
  IF v_ttl <= 0 THEN
    DELETE FROM {schema}.lockout_records WHERE scope = p_scope AND account = p_account AND ip = p_ip;
  ELSE
    UPDATE {schema}.lockout_records SET count = s.count, window_end = s.window_end, level = s.level,
      locked_until = s.locked_until, level_until = s.level_until, epoch = s.epoch, expires_at = p_now + v_ttl
    WHERE scope = p_scope AND account = p_account AND ip = p_ip;
  END IF;
END
$fn$;

-- transitions.ts reserveStep over the three scopes, locked in one order (account, ip, pair:
-- the order of their keys) so that concurrent attempts never deadlock. p_rules: the pair's,
-- the account's and the IP's rule, four numbers each; p_now NULL: the database's clock.
CREATE FUNCTION {schema}.lockout_reserve(p_account text, p_ip text, p_rules bigint[], p_horizon bigint, p_now bigint,
  OUT o_now bigint, OUT o_allowed boolean, OUT o_scope text, OUT o_until bigint,
  OUT o_counts integer[], OUT o_levels integer[], OUT o_untils bigint[])
LANGUAGE plpgsql AS $fn$
DECLARE
  ra {schema}.lockout_records := {schema}.lockout_take('a', p_account, '');
  ri {schema}.lockout_records := {schema}.lockout_take('i', '', p_ip);
  rp {schema}.lockout_records := {schema}.lockout_take('p', p_account, p_ip);
  sa {schema}.lockout_state;
  si {schema}.lockout_state;
  sp {schema}.lockout_state;
  na {schema}.lockout_state;
  ni {schema}.lockout_state;
  np {schema}.lockout_state;
BEGIN
  o_now := coalesce(p_now, floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint);
  sa := {schema}.lockout_current(ra, o_now);
  si := {schema}.lockout_current(ri, o_now);
  sp := {schema}.lockout_current(rp, o_now);
  IF rp.expires_at > o_now AND rp.epoch < sa.epoch THEN sp := ROW(0, 0, 0, 0, 0, 0); END IF;
  o_until := 0;
  IF sp.locked_until > o_now AND sp.locked_until > o_until THEN o_scope := 'pair'; o_until := sp.locked_until; END IF;
  IF sa.locked_until > o_now AND sa.locked_until > o_until THEN o_scope := 'account'; o_until := sa.locked_until; END IF;
  IF si.locked_until > o_now AND si.locked_until > o_until THEN o_scope := 'ip'; o_until := si.locked_until; END IF;
  o_allowed := o_scope IS NULL;
  IF NOT o_allowed THEN
    -- Refused: nothing is counted, and the rows that say nothing (the ones this call's upserts
    -- inserted among them) go at once, so refused attempts from fresh IPs leave no rows behind.
    DELETE FROM {schema}.lockout_records
    WHERE (scope, account, ip) IN (('a', p_account, ''), ('i', '', p_ip), ('p', p_account, p_ip))
      AND expires_at <= o_now;
    RETURN;
  END IF;
  np := {schema}.lockout_count(sp, p_rules[1:4], o_now);
  na := {schema}.lockout_count(sa, p_rules[5:8], o_now);
  ni := {schema}.lockout_count(si, p_rules[9:12], o_now);
  -- The pair carries the epoch of the account it was counted under.
  np.epoch := sa.epoch;
  o_counts := ARRAY[sp.count + 1, sa.count + 1, si.count + 1];
  o_levels := ARRAY[
    CASE WHEN np.level > sp.level THEN np.level ELSE 0 END,
    CASE WHEN na.level > sa.level THEN na.level ELSE 0 END,
    CASE WHEN ni.level > si.level THEN ni.level ELSE 0 END];
  o_untils := ARRAY[np.locked_until, na.locked_until, ni.locked_until];
  PERFORM {schema}.lockout_put('a', p_account, '', na, p_horizon, o_now);
  PERFORM {schema}.lockout_put('i', '', p_ip, ni, NULL, o_now);
  PERFORM {schema}.lockout_put('p', p_account, p_ip, np, NULL, o_now);
END
$fn$;

-- transitions.ts refundStep: the pair deleted, the account and IP given the attempt back.
-- p_engaged: the levels the attempt set on the pair, the account and the IP (0: none).
CREATE FUNCTION {schema}.lockout_refund(p_account text, p_ip text, p_rules bigint[], p_horizon bigint,
  p_engaged integer[], p_now bigint, OUT o_now bigint, OUT o_lifted text[])
LANGUAGE plpgsql AS $fn$
DECLARE
  ra {schema}.lockout_records := {schema}.lockout_take('a', p_account, '');
  ri {schema}.lockout_records := {schema}.lockout_take('i', '', p_ip);
  rp {schema}.lockout_records := {schema}.lockout_take('p', p_account, p_ip);
  sa {schema}.lockout_state;
  si {schema}.lockout_state;
  sp {schema}.lockout_state;
BEGIN
  o_now := coalesce(p_now, floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint);
  sa := {schema}.lockout_current(ra, o_now);
  si := {schema}.lockout_current(ri, o_now);
  sp := {schema}.lockout_current(rp, o_now);
  IF rp.expires_at > o_now AND rp.epoch < sa.epoch THEN sp := ROW(0, 0, 0, 0, 0, 0); END IF;
  o_lifted := '{}';
  IF sp.locked_until > o_now THEN o_lifted := o_lifted || 'pair'::text; END IF;
  IF p_engaged[2] > 0 AND sa.level = p_engaged[2] AND sa.locked_until > o_now THEN
    o_lifted := o_lifted || 'account'::text;
  END IF;
  IF p_engaged[3] > 0 AND si.level = p_engaged[3] AND si.locked_until > o_now THEN
    o_lifted := o_lifted || 'ip'::text;
  END IF;
  PERFORM {schema}.lockout_put('a', p_account, '', {schema}.lockout_give_back(sa, p_rules[5:8], p_engaged[2], o_now), p_horizon, o_now);
  PERFORM {schema}.lockout_put('i', '', p_ip, {schema}.lockout_give_back(si, p_rules[9:12], p_engaged[3], o_now), NULL, o_now);
  DELETE FROM {schema}.lockout_records WHERE scope = 'p' AND account = p_account AND ip = p_ip;
END
$fn$;

-- memory-store.ts clear: the account gets a new epoch (its pairs read as empty), the IP is deleted.
CREATE FUNCTION {schema}.lockout_clear(p_account text, p_ip text, p_horizon bigint, p_now bigint)
RETURNS bigint LANGUAGE plpgsql AS $fn$
DECLARE
  ra {schema}.lockout_records;
  v_now bigint;
  v_epoch bigint := 0;
BEGIN
  IF p_account IS NOT NULL THEN ra := {schema}.lockout_take('a', p_account, ''); END IF;
  v_now := coalesce(p_now, floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint);
  IF p_account IS NOT NULL THEN
    IF ra.expires_at > v_now THEN v_epoch := ra.epoch; END IF;
    PERFORM {schema}.lockout_put('a', p_account, '',
      ROW(0, 0, 0, 0, 0, greatest(v_now, v_epoch + 1))::{schema}.lockout_state, p_horizon, v_now);
  END IF;
  IF p_ip IS NOT NULL THEN
    DELETE FROM {schema}.lockout_records WHERE scope = 'i' AND account = '' AND ip = p_ip;
  END IF;
  RETURN v_now;
END
$fn$;
`;

export const LOCKOUT_MIGRATION: Migration = { version: 103, name: 'lockout-counters', sql: SQL };
