import type { ApiKeyRecord } from '@bulwark/api-keys';
import { BulwarkError } from '@bulwark/core';

/** A row of `api_keys` as JSON (`row_to_json`, or what `json_populate_record` takes). */
export interface ApiKeyRow {
  readonly id: string;
  readonly hash: string;
  readonly owner_id: string;
  readonly name: string;
  readonly environment: string;
  readonly start: string;
  readonly scopes: readonly string[];
  readonly metadata: ApiKeyRecord['metadata'];
  readonly created_at: number;
  readonly expires_at: number | null;
  readonly revoked_at: number | null;
  readonly last_used_at: number | null;
  readonly replaced_by: string | null;
  readonly credits_remaining: number | null;
  readonly credits_refill_to: number | null;
  readonly credits_refill_every: number | null;
  readonly credits_refilled_at: number | null;
  readonly purge_after: number | null;
}

/** The row of a record; `purge_after` = its end (revocation, else expiry) + retention, none for a key that never ends. */
export function toRow(record: ApiKeyRecord, retention: number): ApiKeyRow {
  const end = record.revokedAt ?? record.expiresAt;
  const c = record.credits;
  return {
    id: record.id,
    hash: record.hash,
    owner_id: record.ownerId,
    name: record.name,
    environment: record.environment,
    start: record.start,
    scopes: record.scopes,
    metadata: record.metadata,
    created_at: record.createdAt,
    expires_at: record.expiresAt,
    revoked_at: record.revokedAt,
    last_used_at: record.lastUsedAt,
    replaced_by: record.replacedBy,
    credits_remaining: c?.remaining ?? null,
    credits_refill_to: c?.refillTo ?? null,
    credits_refill_every: c?.refillEvery ?? null,
    credits_refilled_at: c?.refilledAt ?? null,
    purge_after: end === null ? null : end + retention,
  };
}

const num = (value: number | string | null): number | null => (value === null ? null : Number(value));

/** The record of a row (numbers may arrive as strings: bigint columns outside JSON). */
export function fromRow(row: ApiKeyRow): ApiKeyRecord {
  if (row === null || typeof row !== 'object' || typeof row.id !== 'string') {
    throw new BulwarkError('store_unavailable', 'an API-key row in PostgreSQL is malformed');
  }
  const credits =
    row.credits_remaining === null
      ? null
      : {
          remaining: Number(row.credits_remaining),
          refillTo: Number(row.credits_refill_to),
          refillEvery: Number(row.credits_refill_every),
          refilledAt: Number(row.credits_refilled_at),
        };
  return {
    id: row.id,
    hash: row.hash,
    ownerId: row.owner_id,
    name: row.name,
    environment: row.environment as ApiKeyRecord['environment'],
    start: row.start,
    scopes: [...row.scopes],
    metadata: row.metadata,
    createdAt: Number(row.created_at),
    expiresAt: num(row.expires_at),
    revokedAt: num(row.revoked_at),
    lastUsedAt: num(row.last_used_at),
    replacedBy: row.replaced_by,
    credits,
  };
}
