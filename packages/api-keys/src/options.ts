import { type Clock, ConfigError, checkOptions, type Duration, parseDuration, systemClock } from '@bulwark/core';
import type { ApiKeyEvent } from './events.js';
import { type ApiKeyEnvironment, checkPrefix, DEFAULT_PREFIX } from './format.js';
import { type KeyHasher, keyHasher } from './hashing.js';
import { memoryApiKeyStore } from './memory-store.js';
import type { ApiKeyStore } from './port.js';

/** Options of `apiKeys()`. Every one is checked once, here. */
export interface ApiKeysOptions {
  /** Where keys live. Default a new `memoryApiKeyStore()` (one process). */
  readonly store?: ApiKeyStore | undefined;
  /** The key prefix (see the format). Default `bwk`. */
  readonly prefix?: string | undefined;
  /** The environment of the keys this manager creates. Default `live`. */
  readonly environment?: ApiKeyEnvironment | undefined;
  /** The environments whose keys `verify` accepts. Default `[environment]`: a test key fails on a live server. */
  readonly acceptEnvironments?: readonly ApiKeyEnvironment[] | undefined;
  /** A server secret (>= 32 random bytes) for HMAC-SHA-256 at rest. Default none: SHA-256. */
  readonly pepper?: Uint8Array | undefined;
  /** A key's life when `create` names none. Default `90d`. */
  readonly defaultExpiresIn?: Duration | undefined;
  /** The longest life `create` grants. Default `365d`. */
  readonly maxExpiresIn?: Duration | undefined;
  /** `true` lets `create({ expiresIn: 'never' })` make keys that never expire. Default `false`. */
  readonly allowNeverExpiring?: boolean | undefined;
  /** How long a rotated key keeps working when `rotate` names no overlap. Default `1d` (86400 s). */
  readonly defaultOverlap?: Duration | undefined;
  /** The longest overlap `rotate` grants. Default `30d`. */
  readonly maxOverlap?: Duration | undefined;
  /** The verified-key cache, or `false` for none. Default `{ maxEntries: 10_000, ttl: '5m' }`. */
  readonly cache?:
    | { readonly maxEntries?: number | undefined; readonly ttl?: Duration | undefined }
    | false
    | undefined;
  /** The least time between two writes of a key's `lastUsedAt`. Default `1m` (at least `1s`). */
  readonly lastUsedInterval?: Duration | undefined;
  /** The `kind` of the principal a key authenticates as (its owner). Default `user`. */
  readonly principalKind?: 'user' | 'service' | undefined;
  readonly clock?: Clock | undefined;
  /** Usage and lifecycle events (`apikey.used`, `apikey.created`, `apikey.revoked`, `apikey.rotated`). */
  readonly onKeyEvent?: ((event: ApiKeyEvent) => void) | undefined;
}

export const API_KEYS_OPTION_KEYS: readonly string[] = Object.freeze([
  'store',
  'prefix',
  'environment',
  'acceptEnvironments',
  'pepper',
  'defaultExpiresIn',
  'maxExpiresIn',
  'allowNeverExpiring',
  'defaultOverlap',
  'maxOverlap',
  'cache',
  'lastUsedInterval',
  'principalKind',
  'clock',
  'onKeyEvent',
]);

export interface CheckedApiKeysOptions {
  readonly store: ApiKeyStore;
  readonly prefix: string;
  readonly environment: ApiKeyEnvironment;
  readonly accepted: ReadonlySet<ApiKeyEnvironment>;
  readonly hasher: KeyHasher;
  readonly defaultExpiresIn: number;
  readonly maxExpiresIn: number;
  readonly allowNeverExpiring: boolean;
  readonly defaultOverlap: number;
  readonly maxOverlap: number;
  readonly cache: { readonly maxEntries: number; readonly ttl: number } | undefined;
  readonly lastUsedInterval: number;
  readonly principalKind: 'user' | 'service';
  readonly clock: Clock;
  readonly onKeyEvent: ((event: ApiKeyEvent) => void) | undefined;
}

function isStore(value: unknown): value is ApiKeyStore {
  const s = value as ApiKeyStore;
  return (
    typeof s === 'object' &&
    s !== null &&
    ['create', 'get', 'list', 'revoke', 'rotate', 'touch', 'consumeCredits'].every(
      (m) => typeof (s as unknown as Record<string, unknown>)[m] === 'function',
    ) &&
    typeof s.invalidations?.subscribe === 'function'
  );
}

function isEnvironment(value: unknown): value is ApiKeyEnvironment {
  return value === 'live' || value === 'test';
}

export function checkApiKeysOptions(options: ApiKeysOptions): CheckedApiKeysOptions {
  checkOptions(options, API_KEYS_OPTION_KEYS);
  const clock = options.clock ?? systemClock;
  if (typeof clock?.now !== 'function') throw new ConfigError('clock', 'expected a Clock ({ now() })');
  const store = options.store ?? memoryApiKeyStore({ clock });
  if (!isStore(store))
    throw new ConfigError('store', 'expected an ApiKeyStore (memoryApiKeyStore(), redisApiKeyStore(...))');
  const prefix = checkPrefix(options.prefix ?? DEFAULT_PREFIX);
  const environment = options.environment ?? 'live';
  if (!isEnvironment(environment)) throw new ConfigError('environment', 'expected "live" or "test"');
  const acceptList = options.acceptEnvironments ?? [environment];
  if (!Array.isArray(acceptList) || acceptList.length === 0 || !acceptList.every(isEnvironment)) {
    throw new ConfigError('acceptEnvironments', 'expected a non-empty list of "live" and "test"');
  }
  const hasher = keyHasher(options.pepper);
  const maxExpiresIn = parseDuration(options.maxExpiresIn ?? '365d', 'maxExpiresIn');
  const defaultExpiresIn = parseDuration(options.defaultExpiresIn ?? '90d', 'defaultExpiresIn');
  if (maxExpiresIn < 60_000) throw new ConfigError('maxExpiresIn', 'expected at least 1m');
  if (defaultExpiresIn < 60_000 || defaultExpiresIn > maxExpiresIn) {
    throw new ConfigError('defaultExpiresIn', 'expected at least 1m and at most maxExpiresIn');
  }
  const allowNeverExpiring = options.allowNeverExpiring ?? false;
  if (typeof allowNeverExpiring !== 'boolean') throw new ConfigError('allowNeverExpiring', 'expected a boolean');
  const maxOverlap = parseDuration(options.maxOverlap ?? '30d', 'maxOverlap');
  const defaultOverlap = parseDuration(options.defaultOverlap ?? '1d', 'defaultOverlap');
  if (defaultOverlap > maxOverlap) throw new ConfigError('defaultOverlap', 'expected at most maxOverlap');
  let cache: CheckedApiKeysOptions['cache'];
  if (options.cache !== false) {
    const given = options.cache ?? {};
    checkOptions(given, ['maxEntries', 'ttl'], 'cache');
    const maxEntries = given.maxEntries ?? 10_000;
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 1)
      throw new ConfigError('cache.maxEntries', 'expected a positive integer');
    const ttl = parseDuration(given.ttl ?? '5m', 'cache.ttl');
    if (ttl < 1 || ttl > 3_600_000) throw new ConfigError('cache.ttl', 'expected 1ms to 1h');
    cache = { maxEntries, ttl };
  }
  const lastUsedInterval = parseDuration(options.lastUsedInterval ?? '1m', 'lastUsedInterval');
  if (lastUsedInterval < 1000)
    throw new ConfigError('lastUsedInterval', 'expected at least 1s (a store write per request is what it prevents)');
  const principalKind = options.principalKind ?? 'user';
  if (principalKind !== 'user' && principalKind !== 'service')
    throw new ConfigError('principalKind', 'expected "user" or "service"');
  if (options.onKeyEvent !== undefined && typeof options.onKeyEvent !== 'function') {
    throw new ConfigError('onKeyEvent', 'expected a function');
  }
  return {
    store,
    prefix,
    environment,
    accepted: new Set(acceptList),
    hasher,
    defaultExpiresIn,
    maxExpiresIn,
    allowNeverExpiring,
    defaultOverlap,
    maxOverlap,
    cache,
    lastUsedInterval,
    principalKind,
    clock,
    onKeyEvent: options.onKeyEvent,
  };
}
