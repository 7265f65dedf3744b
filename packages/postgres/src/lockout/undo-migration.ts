import type { Migration } from '../migrations/types.js';

// Migration 104: give back an attempt whose password was never checked (the hasher refused
// it at capacity): @bulwark/lockout transitions.ts refundStep with kind 'unchecked'. Like
// lockout_refund, but the pair is not deleted: it gives the one attempt back, as the
// account and the IP do (a lock the attempt set lifted), and keeps its earlier failures.
// A function of its own, not a changed lockout_refund: migrations are append-only.

const SQL = `
CREATE FUNCTION {schema}.lockout_undo(p_account text, p_ip text, p_rules bigint[], p_horizon bigint,
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
  IF p_engaged[1] > 0 AND sp.level = p_engaged[1] AND sp.locked_until > o_now THEN
    o_lifted := o_lifted || 'pair'::text;
  END IF;
  IF p_engaged[2] > 0 AND sa.level = p_engaged[2] AND sa.locked_until > o_now THEN
    o_lifted := o_lifted || 'account'::text;
  END IF;
  IF p_engaged[3] > 0 AND si.level = p_engaged[3] AND si.locked_until > o_now THEN
    o_lifted := o_lifted || 'ip'::text;
  END IF;
  PERFORM {schema}.lockout_put('a', p_account, '', {schema}.lockout_give_back(sa, p_rules[5:8], p_engaged[2], o_now), p_horizon, o_now);
  PERFORM {schema}.lockout_put('i', '', p_ip, {schema}.lockout_give_back(si, p_rules[9:12], p_engaged[3], o_now), NULL, o_now);
  PERFORM {schema}.lockout_put('p', p_account, p_ip, {schema}.lockout_give_back(sp, p_rules[1:4], p_engaged[1], o_now), NULL, o_now);
END
$fn$;
`;

export const LOCKOUT_UNDO_MIGRATION: Migration = { version: 104, name: 'lockout-unchecked-refund', sql: SQL };
