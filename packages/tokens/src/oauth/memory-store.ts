import { BulwarkError, ConfigError, checkOptions } from '@bulwark/core';
import { type ClockOption, clockOption } from '../access/options.js';
import { checkAuthorizationCode, copyRecord } from './code.js';
import type { AuthorizationCodeRecord, AuthorizationCodeStore, RedeemResult } from './port.js';

export interface MemoryAuthorizationCodeStoreOptions {
  /**
   * Most codes held at once, used ones included (they are kept until they expire, to
   * detect a second use). Default 10,000. When full, expired codes are dropped first; if
   * every code is still live, `save` rejects with `store_full`: a new sign-in is refused
   * rather than an older code forgotten (forgetting a used one would hide its reuse).
   */
  readonly maxEntries?: number | undefined;
  /** The store's clock (epoch ms), which alone decides expiry. Default `Date.now`. */
  readonly clock?: ClockOption | undefined;
}

interface Entry {
  readonly record: AuthorizationCodeRecord;
  readonly expiresAt: number;
  used: boolean;
  reused: boolean;
}

/** Saves between two full sweeps of expired entries: the sweep's cost spread over many saves, no timer. */
const SWEEP_EVERY = 1024;

/**
 * The in-process authorization-code store: a bounded map from code hash to its record.
 * Every operation is synchronous between its awaits, hence atomic: of N concurrent
 * redemptions exactly one answers `redeemed`. Expired codes are reclaimed without timers
 * (a sweep every 1,024 saves and whenever the store is full). One process only: several
 * processes share codes through `redisAuthorizationCodeStore` (`@bulwark/redis`).
 *
 * @example
 * ```ts
 * import { AuthorizationServerOptions, authorizationServer, memoryAuthorizationCodeStore } from '@bulwark/tokens';
 *
 * declare const options: AuthorizationServerOptions; // issuer, clients, accessTokens, refreshTokens...
 * const codes = memoryAuthorizationCodeStore({ maxEntries: 5_000 });
 * const oauth = authorizationServer({ ...options, codes });
 * ```
 */
export function memoryAuthorizationCodeStore(
  options: MemoryAuthorizationCodeStoreOptions = {},
): AuthorizationCodeStore {
  checkOptions(options, ['maxEntries', 'clock']);
  const maxEntries = options.maxEntries ?? 10_000;
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
    throw new ConfigError('maxEntries', 'expected a positive integer');
  }
  const now = clockOption(options.clock);
  const entries = new Map<string, Entry>();
  let savesSinceSweep = 0;

  const sweep = (at: number) => {
    savesSinceSweep = 0;
    for (const [hash, entry] of entries) if (entry.expiresAt <= at) entries.delete(hash);
  };
  /** The live entry of `hash`; an expired one is dropped and answers `undefined`. */
  const live = (hash: string, at: number): Entry | undefined => {
    const entry = entries.get(hash);
    if (entry === undefined) return undefined;
    if (entry.expiresAt > at) return entry;
    entries.delete(hash);
    return undefined;
  };

  return Object.freeze({
    async save(hash: string, record: AuthorizationCodeRecord, ttlMs: number): Promise<void> {
      checkAuthorizationCode(hash, record, ttlMs);
      const at = now();
      if (live(hash, at) !== undefined) {
        throw new BulwarkError('store_conflict', 'authorization code store: a code with this hash exists');
      }
      if (++savesSinceSweep >= SWEEP_EVERY || entries.size >= maxEntries) sweep(at);
      if (entries.size >= maxEntries) {
        throw new BulwarkError('store_full', `authorization code store: ${maxEntries} codes are live`);
      }
      entries.set(hash, { record: copyRecord(record), expiresAt: at + ttlMs, used: false, reused: false });
    },
    async redeem(hash: string): Promise<RedeemResult> {
      const entry = typeof hash === 'string' ? live(hash, now()) : undefined;
      if (entry === undefined) return { outcome: 'unknown' };
      if (entry.used) {
        entry.reused = true;
        return { outcome: 'reused', record: entry.record };
      }
      entry.used = true;
      return { outcome: 'redeemed', record: entry.record };
    },
    async wasReused(hash: string): Promise<boolean> {
      const entry = typeof hash === 'string' ? live(hash, now()) : undefined;
      return entry?.reused === true;
    },
  });
}
