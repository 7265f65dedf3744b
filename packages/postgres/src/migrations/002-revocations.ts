import type { Migration } from './types.js';

/**
 * The revocation denylist: one row per revoked `jti` (kind `j`) or `sid` (kind `s`), held
 * until `until_ms`; and the one counter that numbers revocations (its row lock orders them,
 * so their notifications arrive in the order of their numbers).
 */
export const revocations: Migration = {
  version: 2,
  name: 'revocations',
  sql: `CREATE TABLE {schema}.revocations (
  kind text NOT NULL CHECK (kind IN ('j', 's')),
  id text NOT NULL CHECK (length(id) BETWEEN 1 AND 256),
  until_ms bigint NOT NULL,
  PRIMARY KEY (kind, id)
);
CREATE INDEX revocations_until_ms ON {schema}.revocations (until_ms);
CREATE TABLE {schema}.revocation_sequence (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  seq bigint NOT NULL
);
INSERT INTO {schema}.revocation_sequence (seq) VALUES (0)`,
};
