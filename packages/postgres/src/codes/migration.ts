import type { Migration } from '../migrations/types.js';

// Migration 102: the OAuth authorization codes (port: @bulwark/tokens oauth/port.ts). A
// code is kept by its hash only, with its expiry (epoch ms, the database's clock) and
// whether it was used and presented again; the sweep reclaims expired rows.

const SQL = `
CREATE TABLE {schema}.oauth_codes (
  code_hash text PRIMARY KEY,
  client_id text NOT NULL,
  redirect_uri text NOT NULL,
  code_challenge text NOT NULL,
  scopes text[] NOT NULL,
  subject text NOT NULL,
  family_id text NOT NULL,
  expires_at bigint NOT NULL,
  used boolean NOT NULL DEFAULT false,
  reused boolean NOT NULL DEFAULT false
);
CREATE INDEX oauth_codes_expiry ON {schema}.oauth_codes (expires_at);
`;

export const CODES_MIGRATION: Migration = { version: 102, name: 'authorization-codes', sql: SQL };
