import { BulwarkError, type Clock, ConfigError, checkOptions } from '@bulwark/core';
import type { RevocationStore, RevocationTarget } from '../revocation.js';
import { RevocationListeners } from './listeners.js';
import { RevocationTable } from './table.js';
import { checkRevocationTarget } from './target.js';

export interface MemoryRevocationStoreOptions {
  /**
   * Most revocations held at once (jti and sid together). Default 100,000 (about 9 MB
   * with 22-character ids, measured). When full, expired entries are dropped first; if every entry
   * still holds, `revoke` rejects with {@link RevocationStoreFullError}.
   */
  readonly maxEntries?: number | undefined;
  /** The store's clock (epoch ms): when an entry has expired and may be dropped. Default `Date.now`. */
  readonly clock?: (() => number) | Clock | undefined;
}

/**
 * `revoke` on a memory store full of revocations that all still hold. A `BulwarkError`
 * with code `store_full` (reaching an adapter's error handling, a 503 `store_unavailable`):
 * the store refuses the new revocation rather than silently forget an older one, so the
 * caller (a logout) knows it did not take.
 */
export class RevocationStoreFullError extends BulwarkError {
  constructor(maxEntries: number) {
    super('store_full', `the memory revocation store holds ${maxEntries} revocations that have not expired`);
    this.name = 'RevocationStoreFullError';
  }
}

/** The memory store answers synchronously; `subscribe` is always there. */
export interface MemoryRevocationStore extends RevocationStore {
  /** Entries held (including expired ones not yet swept). */
  readonly size: number;
  isRevoked(jti: string, sid: string | undefined, now: number): boolean;
  subscribe(listener: (target: RevocationTarget) => void): () => void;
}

/** Reads an injected clock: a function (`() => number`) or a `Clock` (`{ now() }`). */
export function clockOption(clock: (() => number) | Clock | undefined): () => number {
  if (clock === undefined) return Date.now;
  if (typeof clock === 'function') return clock;
  if (typeof clock === 'object' && clock !== null && typeof clock.now === 'function') return () => clock.now();
  throw new ConfigError('clock', 'expected a function answering epoch ms, or a Clock');
}

/**
 * The in-process revocation store: revoke one access token by its `jti`, or a whole
 * session by its `sid`, until a time (the latest `exp` of what it revokes). `isRevoked` is
 * synchronous (a map lookup), so a verified-token cache hit stays synchronous. Bounded by
 * `maxEntries`; an entry is dropped once its `until` has passed (the tokens it names have
 * expired), with no timer. `subscribe` tells local listeners (a verifier's cache) of each
 * revocation as it is made. Within one process only: several processes share revocations
 * through `redisRevocationStore` (`@bulwark/redis`).
 *
 * @example
 * ```ts
 * const revocations = memoryRevocationStore({ maxEntries: 50_000 });
 * // On logout: this token, and every token of its session, until the session's last expiry.
 * await revocations.revoke({ kind: 'jti', id: 'Jb3Ck2n7Xk1Zr0lq9mHc2A', until: Date.now() + 15 * 60_000 });
 * await revocations.revoke({ kind: 'sid', id: 'sess-42', until: Date.now() + 15 * 60_000 });
 * revocations.isRevoked('Jb3Ck2n7Xk1Zr0lq9mHc2A', 'sess-42', Date.now()); // true
 * ```
 */
export function memoryRevocationStore(options: MemoryRevocationStoreOptions = {}): MemoryRevocationStore {
  checkOptions(options, ['maxEntries', 'clock']);
  const maxEntries = options.maxEntries ?? 100_000;
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
    throw new ConfigError('maxEntries', 'expected a positive integer');
  }
  const now = clockOption(options.clock);
  const table = new RevocationTable(maxEntries);
  const listeners = new RevocationListeners();
  return {
    get size() {
      return table.size;
    },
    async revoke(target) {
      checkRevocationTarget(target);
      const result = table.add(target.kind, target.id, target.until, now());
      if (result === 'full') throw new RevocationStoreFullError(maxEntries);
      if (result === 'added' || result === 'extended') {
        listeners.notify(Object.freeze({ kind: target.kind, id: target.id, until: target.until }));
      }
    },
    isRevoked: (jti, sid, at) => table.isRevoked(jti, sid, at),
    subscribe: (listener) => listeners.add(listener),
  };
}
