import { type Clock, ConfigError, checkOptions, type EventSink, parseDuration, systemClock } from '@bulwark/core';
import type { RevocationStore } from '../revocation.js';
import { checkPrefix } from './format.js';
import { checkPepper } from './hashing.js';
import { memoryRefreshTokenStore } from './memory-store.js';
import type { RefreshTokenStore } from './port.js';
import type { RefreshTokensOptions } from './types.js';

const OPTION_KEYS = [
  'store',
  'prefix',
  'pepper',
  'grace',
  'absoluteLifetime',
  'idleLifetime',
  'maxFamiliesPerUser',
  'revocations',
  'onEvent',
  'clock',
];
const REVOCATION_KEYS = ['store', 'accessTokenTtl', 'clockTolerance'];
const STORE_OPERATIONS = ['createFamily', 'rotate', 'revokeFamily', 'revokeSubject', 'getFamily'] as const;
/** A longer window lets a stolen token be raced against its owner for longer. */
const MAX_GRACE_MS = 60_000;
const MAX_CLOCK_TOLERANCE_MS = 60_000;
const DAY = 86_400_000;

/** The options of `refreshTokens`, checked and resolved once. */
export interface ResolvedRefreshOptions {
  readonly store: RefreshTokenStore;
  readonly prefix: string;
  readonly pepper: Uint8Array<ArrayBuffer> | undefined;
  readonly graceMs: number;
  readonly absoluteLifetimeMs: number;
  readonly idleLifetimeMs: number;
  readonly maxFamiliesPerUser: number;
  /** How long a session's access tokens may live after a revocation (ttl + tolerance), with the store to revoke them in. */
  readonly revocations: { readonly store: RevocationStore; readonly holdMs: number } | undefined;
  readonly onEvent: EventSink | undefined;
  readonly clock: Clock;
}

function positiveDuration(value: unknown, fallback: number | string, option: string): number {
  const ms = parseDuration(value ?? fallback, option);
  if (ms <= 0) throw new ConfigError(option, 'must be more than 0');
  return ms;
}

function checkStore(store: unknown): RefreshTokenStore {
  if (store === undefined) return memoryRefreshTokenStore();
  const candidate = store as Record<string, unknown> | null;
  if (
    typeof candidate !== 'object' ||
    candidate === null ||
    STORE_OPERATIONS.some((op) => typeof candidate[op] !== 'function')
  ) {
    throw new ConfigError('store', `expected a RefreshTokenStore (${STORE_OPERATIONS.join(', ')})`);
  }
  return store as RefreshTokenStore;
}

function checkRevocations(value: RefreshTokensOptions['revocations']): ResolvedRefreshOptions['revocations'] {
  if (value === undefined) return undefined;
  checkOptions(value, REVOCATION_KEYS, 'revocations');
  if (typeof value.store?.revoke !== 'function') {
    throw new ConfigError('revocations.store', 'expected a RevocationStore');
  }
  if (value.accessTokenTtl === undefined) {
    throw new ConfigError(
      'revocations.accessTokenTtl',
      "required: a session's access tokens must stay revoked for as long as one can live",
    );
  }
  const ttl = positiveDuration(value.accessTokenTtl, 0, 'revocations.accessTokenTtl');
  const tolerance = parseDuration(value.clockTolerance ?? 5_000, 'revocations.clockTolerance');
  if (tolerance > MAX_CLOCK_TOLERANCE_MS) {
    throw new ConfigError('revocations.clockTolerance', 'at most 60s (the verifier refuses more)');
  }
  return { store: value.store, holdMs: ttl + tolerance };
}

function checkClock(clock: unknown): Clock {
  if (clock === undefined) return systemClock;
  if (typeof clock === 'object' && clock !== null && typeof (clock as Clock).now === 'function') return clock as Clock;
  throw new ConfigError('clock', 'expected a Clock ({ now(): number })');
}

export function resolveRefreshOptions(options: RefreshTokensOptions): ResolvedRefreshOptions {
  checkOptions(options, OPTION_KEYS);
  const graceMs = parseDuration(options.grace ?? 0, 'grace');
  if (graceMs > MAX_GRACE_MS) {
    throw new ConfigError('grace', 'at most 60s: the grace window lets a stolen token be raced against its owner');
  }
  const absoluteLifetimeMs = positiveDuration(options.absoluteLifetime, 30 * DAY, 'absoluteLifetime');
  const idleLifetimeMs = positiveDuration(options.idleLifetime, Math.min(7 * DAY, absoluteLifetimeMs), 'idleLifetime');
  if (idleLifetimeMs > absoluteLifetimeMs) {
    throw new ConfigError('idleLifetime', 'must not be longer than absoluteLifetime');
  }
  const maxFamiliesPerUser = options.maxFamiliesPerUser ?? 10;
  if (!Number.isSafeInteger(maxFamiliesPerUser) || maxFamiliesPerUser < 1) {
    throw new ConfigError('maxFamiliesPerUser', 'expected a positive integer');
  }
  if (options.onEvent !== undefined && typeof options.onEvent !== 'function') {
    throw new ConfigError('onEvent', 'expected a function');
  }
  return {
    store: checkStore(options.store),
    prefix: checkPrefix(options.prefix),
    pepper: checkPepper(options.pepper),
    graceMs,
    absoluteLifetimeMs,
    idleLifetimeMs,
    maxFamiliesPerUser,
    revocations: checkRevocations(options.revocations),
    onEvent: options.onEvent,
    clock: checkClock(options.clock),
  };
}
