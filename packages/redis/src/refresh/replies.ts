// Reading the scripts' answers (lua.ts) back into the port's types. Numbers may arrive as
// strings (an ioredis client with `stringNumbers: true`): every one goes through Number.
import { BulwarkError } from '@bulwark/core';
import type { RefreshFamilyInfo, RefreshFamilyState, RotateResult } from '@bulwark/tokens';

type Reply = ReadonlyArray<string | number | null>;

function scopesOf(json: unknown): readonly string[] {
  const scopes: unknown = typeof json === 'string' ? JSON.parse(json) : undefined;
  if (!Array.isArray(scopes) || scopes.some((s) => typeof s !== 'string')) {
    throw new BulwarkError('store_unavailable', 'a refresh family record in Redis is malformed');
  }
  return scopes as string[];
}

function infoOf(familyId: string, subject: unknown, clientId: unknown, scopes: unknown): RefreshFamilyInfo {
  return { familyId, subject: String(subject), clientId: String(clientId), scopes: scopesOf(scopes) };
}

const INVALID = ['unknown', 'revoked', 'expired'] as const;

export function rotateResultOf(familyId: string, raw: unknown): RotateResult {
  const reply = raw as Reply;
  const code = Number(reply[0]);
  const now = Number(reply[1]);
  switch (code) {
    case 0:
    case 1:
    case 2:
      return { outcome: 'invalid', reason: INVALID[code], now };
    case 3:
      return {
        outcome: 'rotated',
        family: infoOf(familyId, reply[5], reply[6], reply[7]),
        generation: Number(reply[2]),
        now,
        idleExpiresAt: Number(reply[3]),
        absoluteExpiresAt: Number(reply[4]),
      };
    case 4:
      return {
        outcome: 'grace',
        family: infoOf(familyId, reply[6], reply[7], reply[8]),
        generation: Number(reply[2]),
        sealedChild: String(reply[3]),
        now,
        idleExpiresAt: Number(reply[4]),
        absoluteExpiresAt: Number(reply[5]),
      };
    case 5:
      return {
        outcome: 'reused',
        family: infoOf(familyId, reply[3], reply[4], reply[5]),
        presentedGeneration: Number(reply[2]),
        now,
      };
    default:
      throw new BulwarkError('store_unavailable', 'the refresh-token script answered something unexpected');
  }
}

export function familyStateOf(familyId: string, raw: unknown): RefreshFamilyState | undefined {
  const reply = raw as Reply;
  if (reply.length < 9) return undefined;
  const now = Number(reply[0]);
  const absoluteExpiresAt = Number(reply[3]);
  const idleExpiresAt = Number(reply[4]);
  const ended = now >= absoluteExpiresAt || now >= idleExpiresAt;
  return {
    ...infoOf(familyId, reply[6], reply[7], reply[8]),
    status: Number(reply[5]) === 1 ? 'revoked' : ended ? 'expired' : 'live',
    generation: Number(reply[1]),
    createdAt: Number(reply[2]),
    absoluteExpiresAt,
    idleExpiresAt,
  };
}
