import { type ApiKeyEvent, type ApiKeyStore, type ApiKeys, apiKeys, memoryApiKeyStore } from '@bulwark/api-keys';
import type { Clock } from '@bulwark/core';
import { postgresApiKeyStore } from '@bulwark/postgres';
import { redisApiKeyStore } from '@bulwark/redis';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { purposeKey } from './secrets.js';

/** The demo's key prefix: `notes_live_<id>_<secret><checksum>`, what secret scanners look for. */
export const KEY_PREFIX = 'notes';

/**
 * The demo's API keys. At rest only an HMAC-SHA-256 of each key, under a pepper derived from
 * KEY_ENCRYPTION_KEY (the same in every process; a random one per process in memory). With
 * PostgreSQL (DATABASE_URL) or Redis the keys are shared: one created, revoked or rotated through a process holds in every
 * other at once (the store's invalidation channel empties each process's verified-key cache).
 * Lifecycle events (created, revoked, rotated) go to `onKeyEvent`: the admin log.
 */
export function demoApiKeys(options: {
  readonly redis: Redis | undefined;
  readonly database: pg.Pool | undefined;
  readonly keyEncryptionKey: Uint8Array | undefined;
  readonly clock: Clock | undefined;
  readonly store?: ApiKeyStore | undefined;
  readonly onKeyEvent: (event: ApiKeyEvent) => void;
}): ApiKeys {
  const pepper = purposeKey(options.keyEncryptionKey, 'notes-api api-key pepper v1');
  const clock = options.clock === undefined ? {} : { clock: options.clock };
  const store =
    options.store ??
    (options.database
      ? postgresApiKeyStore({ pool: options.database })
      : options.redis
        ? redisApiKeyStore({ client: options.redis, keyPrefix: 'notes-api:apikeys' })
        : memoryApiKeyStore(clock));
  return apiKeys({ prefix: KEY_PREFIX, store, pepper, ...clock, onKeyEvent: options.onKeyEvent });
}
