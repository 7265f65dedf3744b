import type { Principal } from '@bulwark/core';
import type { ApiKeyInvalidations, ApiKeyRecord } from './port.js';

/** A verified key: its record and its principal, built once. */
export interface CachedKey {
  readonly record: ApiKeyRecord;
  readonly principal: Principal;
  readonly cachedAt: number;
  /** When this process last wrote (or saw) the key's `lastUsedAt`. */
  touchedAt: number;
}

/**
 * The verified-key cache: the exact text of a key that verified -> its record, so a hot
 * key costs no store call and no hash. Sound because (1) only a text whose digest matched
 * the stored one is cached, the format is canonical (one text per key: the parser admits
 * no variant spelling), so the same text is the same key; its revocation and expiry are
 * checked against the record on every hit; (2) the store's
 * invalidations drop a revoked or rotated key at once, and while they are not `trusted`
 * (a notification may have been lost) the cache answers nothing; (3) a fill that raced an
 * invalidation is dropped (`generation`), so a record read before a revocation is never
 * cached after it. Bounded: `maxEntries` (the oldest entry goes first) and `ttl`.
 */
export class VerifiedKeyCache {
  readonly #entries = new Map<string, CachedKey>();
  /** Key id -> the key text cached for it (one: only the text matching the digest verifies). */
  readonly #byId = new Map<string, string>();
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

  /** The entry for the key `text`, only while the invalidations are trusted and the entry is young enough. */
  get(text: string, now: number): CachedKey | undefined {
    const entry = this.#entries.get(text);
    if (entry === undefined) return undefined;
    if (!this.#invalidations.trusted) return undefined;
    if (now - entry.cachedAt >= this.#ttl || now < entry.cachedAt) {
      this.#drop(text, entry.record.id);
      return undefined;
    }
    return entry;
  }

  /** Caches the key `text` read when the generation was `generation`, unless something was invalidated since. */
  set(text: string, entry: CachedKey, generation: number): void {
    if (generation !== this.#generation) return;
    const { id } = entry.record;
    const previous = this.#byId.get(id);
    if (previous !== undefined) this.#drop(previous, id);
    if (this.#entries.size >= this.#maxEntries) {
      const oldest = this.#entries.entries().next();
      if (!oldest.done) this.#drop(oldest.value[0], oldest.value[1].record.id);
    }
    this.#entries.set(text, entry);
    this.#byId.set(id, text);
  }

  /** The cached record of key `id` (trusted invalidations only), for what a later policy needs to know of it. */
  recordOf(id: string): ApiKeyRecord | undefined {
    const text = this.#byId.get(id);
    if (text === undefined || !this.#invalidations.trusted) return undefined;
    return this.#entries.get(text)?.record;
  }

  evict(id: string): void {
    this.#generation++;
    const text = this.#byId.get(id);
    if (text !== undefined) this.#drop(text, id);
  }

  clear(): void {
    this.#generation++;
    this.#entries.clear();
    this.#byId.clear();
  }

  #drop(text: string, id: string): void {
    this.#entries.delete(text);
    if (this.#byId.get(id) === text) this.#byId.delete(id);
  }

  close(): void {
    this.#unsubscribe();
    this.clear();
  }
}
