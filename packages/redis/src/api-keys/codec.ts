import type { ApiKeyRecord } from '@bulwark/api-keys';

/**
 * A record as the fields of its Redis hash: every field always present, `''` for null,
 * so a script can tell "no credits" (`cr` = '') from "no such key" (nil). Scopes and
 * metadata are JSON (scripts never read them).
 */
export function toFields(record: ApiKeyRecord): string[] {
  const opt = (value: number | string | null) => (value === null ? '' : String(value));
  const c = record.credits;
  return [
    'id',
    record.id,
    'h',
    record.hash,
    'o',
    record.ownerId,
    'n',
    record.name,
    'e',
    record.environment,
    's',
    record.start,
    'sc',
    JSON.stringify(record.scopes),
    'm',
    JSON.stringify(record.metadata),
    'c',
    String(record.createdAt),
    'x',
    opt(record.expiresAt),
    'r',
    opt(record.revokedAt),
    'u',
    opt(record.lastUsedAt),
    'rp',
    opt(record.replacedBy),
    'cr',
    c === null ? '' : String(c.remaining),
    'ct',
    c === null ? '' : String(c.refillTo),
    'ce',
    c === null ? '' : String(c.refillEvery),
    'ca',
    c === null ? '' : String(c.refilledAt),
  ];
}

const num = (value: string | undefined) => (value === undefined || value === '' ? null : Number(value));

/** The record of an HGETALL reply (an object from ioredis, or the flat list a script answers). */
export function fromFields(reply: Record<string, string> | readonly string[]): ApiKeyRecord | undefined {
  let f: Record<string, string>;
  if (Array.isArray(reply)) {
    f = {};
    for (let i = 0; i + 1 < reply.length; i += 2) f[reply[i] as string] = reply[i + 1] as string;
  } else {
    f = reply as Record<string, string>;
  }
  if (f.id === undefined || f.h === undefined) return undefined;
  const remaining = num(f.cr);
  return Object.freeze({
    id: f.id,
    hash: f.h,
    ownerId: f.o ?? '',
    name: f.n ?? '',
    environment: f.e === 'test' ? 'test' : 'live',
    start: f.s ?? '',
    scopes: Object.freeze(JSON.parse(f.sc ?? '[]') as string[]),
    metadata: Object.freeze(JSON.parse(f.m ?? '{}') as ApiKeyRecord['metadata']),
    createdAt: Number(f.c),
    expiresAt: num(f.x),
    revokedAt: num(f.r),
    lastUsedAt: num(f.u),
    replacedBy: f.rp === undefined || f.rp === '' ? null : f.rp,
    credits:
      remaining === null
        ? null
        : Object.freeze({
            remaining,
            refillTo: Number(f.ct),
            refillEvery: Number(f.ce),
            refilledAt: Number(f.ca),
          }),
  });
}
