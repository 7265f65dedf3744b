import {
  BulwarkError,
  type Clock,
  ConfigError,
  checkOptions,
  type Duration,
  parseDuration,
  systemClock,
} from '@bulwark/core';
import { spendCredits } from './credits.js';
import type { ApiKeyInvalidations, ApiKeyRecord, ApiKeyRotateResult, ApiKeyStore } from './port.js';

export interface MemoryApiKeyStoreOptions {
  /** Most records held. Default 100,000; when full, reclaimable records go first, then `create` rejects with `store_full`. */
  readonly maxKeys?: number | undefined;
  /** How long a revoked or expired record stays listable before it may be reclaimed. Default `30d`. */
  readonly retention?: Duration | undefined;
  readonly clock?: Clock | undefined;
}

/** The memory store, with `size` for tests and monitoring. */
export interface MemoryApiKeyStore extends ApiKeyStore {
  readonly size: number;
}

class LocalInvalidations implements ApiKeyInvalidations {
  readonly trusted = true;
  readonly #listeners = new Set<(id: string | undefined) => void>();
  subscribe(listener: (id: string | undefined) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
  notify(id: string): void {
    for (const listener of this.#listeners) {
      try {
        listener(id);
      } catch {
        // A listener's failure must not stop the others from hearing of a revocation.
      }
    }
  }
}

/**
 * The in-memory {@link ApiKeyStore}: one process, the default of `apiKeys()` and the
 * reference of the conformance suite. Bounded (`maxKeys`): a full store first reclaims
 * records revoked or expired for longer than `retention`, and otherwise refuses to create
 * (`store_full`); it never drops a live key. Changes reach the verified-key cache
 * synchronously.
 *
 * @example
 * ```ts
 * import { apiKeys, memoryApiKeyStore } from '@bulwark/api-keys';
 * const keys = apiKeys({ store: memoryApiKeyStore({ maxKeys: 10_000 }) });
 * ```
 */
export function memoryApiKeyStore(options: MemoryApiKeyStoreOptions = {}): MemoryApiKeyStore {
  checkOptions(options, ['maxKeys', 'retention', 'clock']);
  const maxKeys = options.maxKeys ?? 100_000;
  if (!Number.isSafeInteger(maxKeys) || maxKeys < 1) throw new ConfigError('maxKeys', 'expected a positive integer');
  const retention = parseDuration(options.retention ?? '30d', 'retention');
  const clock = options.clock ?? systemClock;
  if (typeof clock?.now !== 'function') throw new ConfigError('clock', 'expected a Clock ({ now() })');
  const records = new Map<string, ApiKeyRecord>();
  /** Owner id -> their key ids, in creation order: listing never scans every key. */
  const byOwner = new Map<string, Set<string>>();
  const invalidations = new LocalInvalidations();

  const endOf = (r: ApiKeyRecord): number =>
    Math.min(r.revokedAt ?? Number.POSITIVE_INFINITY, r.expiresAt ?? Number.POSITIVE_INFINITY);
  const reclaim = (now: number) => {
    for (const record of records.values()) if (endOf(record) + retention <= now) remove(record);
  };
  const copy = (r: ApiKeyRecord): ApiKeyRecord =>
    Object.freeze({
      ...r,
      scopes: Object.freeze([...r.scopes]),
      metadata: Object.freeze({ ...r.metadata }),
      credits: r.credits === null ? null : Object.freeze({ ...r.credits }),
    });
  function remove(record: ApiKeyRecord): void {
    records.delete(record.id);
    const ids = byOwner.get(record.ownerId);
    ids?.delete(record.id);
    if (ids?.size === 0) byOwner.delete(record.ownerId);
  }
  const add = (record: ApiKeyRecord) => {
    if (records.has(record.id)) throw new BulwarkError('store_conflict', 'an API key with this id exists');
    if (records.size >= maxKeys) reclaim(clock.now());
    if (records.size >= maxKeys) throw new BulwarkError('store_full', 'the API-key store is full');
    records.set(record.id, copy(record));
    const ids = byOwner.get(record.ownerId) ?? new Set<string>();
    byOwner.set(record.ownerId, ids.add(record.id));
  };
  const owned = (id: string, ownerId: string | undefined) => {
    const record = records.get(id);
    return record === undefined || (ownerId !== undefined && record.ownerId !== ownerId) ? undefined : record;
  };

  return {
    get size() {
      return records.size;
    },
    invalidations,
    async create(record) {
      add(record);
    },
    async get(id) {
      return records.get(id);
    },
    async list(ownerId) {
      const ids = byOwner.get(ownerId) ?? [];
      const owned = [...ids].map((id) => records.get(id) as ApiKeyRecord);
      return owned.sort((a, b) => a.createdAt - b.createdAt);
    },
    async revoke(id, ownerId) {
      const record = owned(id, ownerId);
      if (record === undefined) return undefined;
      if (record.revokedAt !== null) return record;
      const revoked = Object.freeze({ ...record, revokedAt: clock.now() });
      records.set(id, revoked);
      invalidations.notify(id);
      return revoked;
    },
    async rotate(id, ownerId, replacement, overlapMs): Promise<ApiKeyRotateResult> {
      const record = owned(id, ownerId);
      const now = clock.now();
      if (record === undefined) return { ok: false, reason: 'not_found' };
      if (record.revokedAt !== null) return { ok: false, reason: 'revoked' };
      if (record.expiresAt !== null && record.expiresAt <= now) return { ok: false, reason: 'expired' };
      if (record.replacedBy !== null) return { ok: false, reason: 'rotated' };
      add(replacement);
      const end = now + overlapMs;
      const previous: ApiKeyRecord = Object.freeze({
        ...record,
        replacedBy: replacement.id,
        revokedAt: overlapMs === 0 ? now : null,
        expiresAt: overlapMs === 0 || (record.expiresAt !== null && record.expiresAt <= end) ? record.expiresAt : end,
      });
      records.set(id, previous);
      invalidations.notify(id);
      return { ok: true, previous };
    },
    async touch(id, minIntervalMs) {
      const record = records.get(id);
      const now = clock.now();
      if (record === undefined || (record.lastUsedAt !== null && now - record.lastUsedAt < minIntervalMs)) return;
      records.set(id, Object.freeze({ ...record, lastUsedAt: now }));
    },
    async consumeCredits(id, cost) {
      const record = records.get(id);
      if (record === undefined) return undefined;
      if (record.credits === null) return { limited: false };
      const { ok, next } = spendCredits(record.credits, cost, clock.now());
      records.set(id, Object.freeze({ ...record, credits: Object.freeze(next) }));
      return { limited: true, ok, remaining: next.remaining };
    },
  };
}
