import { ConfigError, checkOptions } from '@bulwark/core';
import { z } from 'zod';

/**
 * The query schema of a bounded list endpoint: `limit` (1..max, default given) and an
 * opaque `cursor` (base64url, at most 512 characters). Use it as a route's `query`.
 *
 * @example
 * ```ts
 * const listNotes = requestValidator({ query: paginationQuery({ defaultLimit: 20, maxLimit: 100 }) });
 * ```
 */
export function paginationQuery(
  options: { readonly defaultLimit?: number | undefined; readonly maxLimit?: number | undefined } = {},
) {
  checkOptions(options, ['defaultLimit', 'maxLimit']);
  const maxLimit = options.maxLimit ?? 100;
  const defaultLimit = options.defaultLimit ?? 20;
  if (!Number.isSafeInteger(maxLimit) || maxLimit < 1 || maxLimit > 10_000)
    throw new ConfigError('maxLimit', 'expected 1..10000');
  if (!Number.isSafeInteger(defaultLimit) || defaultLimit < 1 || defaultLimit > maxLimit) {
    throw new ConfigError('defaultLimit', 'expected 1..maxLimit');
  }
  return z.object({
    limit: z.number().int().min(1).max(maxLimit).default(defaultLimit),
    cursor: z
      .string()
      .max(512)
      .regex(/^[A-Za-z0-9_-]+$/, 'Must be an opaque cursor from a previous page.')
      .optional(),
  });
}

/** Encodes a cursor position (any JSON value) as an opaque base64url string. */
export function encodeCursor(position: unknown): string {
  const bytes = new TextEncoder().encode(JSON.stringify(position));
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Decodes a cursor made by {@link encodeCursor}; `undefined` when it is not one. */
export function decodeCursor(cursor: string): unknown {
  try {
    const binary = atob(cursor.replace(/-/g, '+').replace(/_/g, '/'));
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return undefined;
  }
}
