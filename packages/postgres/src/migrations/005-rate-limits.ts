import type { Migration } from './types.js';

/**
 * Rate-limit counters (port: `@bulwark/ratelimit` port.ts), for deployments without Redis:
 * one row per (scope, key, algorithm), holding the algorithm's three integers (`has_state`
 * false: a block only, or a row only taken to lock it), the end of a running block and when
 * the row stops mattering (`expires_at`, epoch ms on the database's clock; a row past it
 * reads as absent and the bounded sweep reclaims it). The algorithm is part of the key, as
 * in the Redis store's key layout: a policy whose algorithm changes starts fresh rows
 * instead of misreading the old ones. The decisions are computed in JavaScript by the same
 * pure functions as the memory store, between a row lock and the write.
 */
export const rateLimits: Migration = {
  version: 5,
  name: 'rate-limits',
  sql: `CREATE TABLE {schema}.rate_limits (
  scope text NOT NULL,
  key text NOT NULL,
  algorithm text NOT NULL,
  has_state boolean NOT NULL DEFAULT false,
  a bigint NOT NULL DEFAULT 0,
  b bigint NOT NULL DEFAULT 0,
  c bigint NOT NULL DEFAULT 0,
  blocked_until bigint NOT NULL DEFAULT 0,
  expires_at bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (scope, key, algorithm)
);
CREATE INDEX rate_limits_expiry ON {schema}.rate_limits (expires_at);`,
};
