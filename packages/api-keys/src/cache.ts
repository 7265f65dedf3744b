import type { Principal } from '@bulwark/core';
import type { ApiKeyInvalidations, ApiKeyRecord } from './port.js';

/** A verified key: its record, the digest to compare with, and its principal, built once. */
export interface CachedKey {
  readonly record: ApiKeyRecord;
  readonly digest: Uint8Array;
  readonly principal: Principal;
  readonly cachedAt: number;
  /** When this process last wrote (or saw) the key's `lastUsedAt`. */
  touchedAt: number;
}

/**
 * The verified-key cache: key id -> verified record, so a hot key costs no store call.
 * Sound because (1) a hit is still hashed and compared with the stored digest, and its
 * revocation and expiry checked against the record on every hit; (2) the store's
 * invalidations drop a revoked or rotated key at once, and while they are not `trusted`
 * (a notification may have been lost) the cache answers nothing; (3) a fill that raced an
 * invalidation is dropped (`generation`), so a record read before a revocation is never
 * cached after it. Bounded: `maxEntries` (the oldest entry goes first) and `ttl`.
 */
export class VerifiedKeyCache {
  readonly #entries = new Map<string, CachedKey>();
  readonly #maxEntries: number;
  readonly #ttl: number;
  readonly #invalidations: ApiKeyInvalidations;
  readonly #unsubscribe: () => void;
  #generation = 0;

  constructor(invalidations: ApiKeyInvalidations, maxEntries: number, ttl: number) {
    this.#invalidations = invalidations;
    this.#maxEntries = maxEntries;
    this.#ttl = ttl;
    this.#unsubscribe = invalidations.subscribe((id) => {
      if (id === undefined) this.clear();
      else this.evict(id);
    });
  }

  /** Changes whenever anything is invalidated: a fill started before must not land. */
  get generation(): number {
    return this.#generation;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The entry for `id`, only while the invalidations are trusted and the entry is young enough. */
  get(id: string, now: number): CachedKey | undefined {
    const entry = this.#entries.get(id);
    if (entry === undefined) return undefined;
    if (!this.#invalidations.trusted) return undefined;
    if (now - entry.cachedAt >= this.#ttl || now < entry.cachedAt) {
      this.#entries.delete(id);
      return undefined;
    }
    return entry;
  }

  /** Caches an entry read when the generation was `generation`, unless something was invalidated since. */
  set(entry: CachedKey, generation: number): void {
    if (generation !== this.#generation) return;
    const { id } = entry.record;
    this.#entries.delete(id);
    if (this.#entries.size >= this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(id, entry);
  }

  evict(id: string): void {
    this.#generation++;
    this.#entries.delete(id);
  }

  clear(): void {
    this.#generation++;
    this.#entries.clear();
  }

  close(): void {
    this.#unsubscribe();
    this.clear();
  }
}
