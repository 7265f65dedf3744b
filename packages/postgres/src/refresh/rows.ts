// The refresh functions' rows (migration.ts) back into the port's types. bigint columns
// arrive as strings (node-postgres leaves int8 to the caller): every one goes through Number.
import { BulwarkError } from '@bulwark/core';
import type { RefreshFamilyInfo, RefreshFamilyState, RotateResult } from '@bulwark/tokens';

export type Row = Record<string, unknown>;

function malformed(): never {
  throw new BulwarkError('store_unavailable', 'a refresh family row in PostgreSQL is malformed');
}

function scopesOf(value: unknown): readonly string[] {
  if (!Array.isArray(value) || value.some((s) => typeof s !== 'string')) malformed();
  return value as string[];
}

function infoOf(familyId: string, row: Row, prefix: 'o_' | ''): RefreshFamilyInfo {
  const subject = row[`${prefix}subject`];
  const clientId = row[`${prefix}client_id`];
  if (typeof subject !== 'string' || typeof clientId !== 'string') malformed();
  return { familyId, subject, clientId, scopes: scopesOf(row[`${prefix}scopes`]) };
}

/** `refresh_rotate`'s one row. */
export function rotateResultOf(familyId: string, row: Row | undefined): RotateResult {
  if (row === undefined) malformed();
  const now = Number(row.o_now);
  switch (row.o_outcome) {
    case 'unknown':
    case 'revoked':
    case 'expired':
      return { outcome: 'invalid', reason: row.o_outcome, now };
    case 'rotated':
      return {
        outcome: 'rotated',
        family: infoOf(familyId, row, 'o_'),
        generation: Number(row.o_generation),
        now,
        idleExpiresAt: Number(row.o_idle),
        absoluteExpiresAt: Number(row.o_absolute),
      };
    case 'grace':
      return {
        outcome: 'grace',
        family: infoOf(familyId, row, 'o_'),
        generation: Number(row.o_generation),
        sealedChild: String(row.o_sealed),
        now,
        idleExpiresAt: Number(row.o_idle),
        absoluteExpiresAt: Number(row.o_absolute),
      };
    case 'reused':
      return {
        outcome: 'reused',
        family: infoOf(familyId, row, 'o_'),
        presentedGeneration: Number(row.o_generation),
        now,
      };
    default:
      return malformed();
  }
}

/** The `getFamily` statement's row (undefined: no such family). */
export function familyStateOf(familyId: string, row: Row | undefined): RefreshFamilyState | undefined {
  if (row === undefined) return undefined;
  const now = Number(row.now_ms);
  const absoluteExpiresAt = Number(row.absolute_expires_at);
  const idleExpiresAt = Number(row.idle_expires_at);
  const ended = now >= Math.min(absoluteExpiresAt, idleExpiresAt);
  return {
    ...infoOf(familyId, row, ''),
    status: row.revoked === true ? 'revoked' : ended ? 'expired' : 'live',
    generation: Number(row.generation),
    createdAt: Number(row.created_at),
    absoluteExpiresAt,
    idleExpiresAt,
  };
}
