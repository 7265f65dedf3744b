import type { ApiKeyEnvironment } from './format.js';

/** Metadata of a key: JSON values, for the application (a team id, a label). */
export type ApiKeyMetadata = Readonly<Record<string, string | number | boolean | null>>;

/** A key's optional usage credits: each use spends some; `refillEvery` > 0 tops them up to `refillTo`. */
export interface ApiKeyCredits {
  readonly remaining: number;
  /** The credits the key is topped up to at each refill (0 with no refill). */
  readonly refillTo: number;
  /** How often (ms) it is topped up; 0: never. */
  readonly refillEvery: number;
  /** The last refill boundary (epoch ms, the store's clock). */
  readonly refilledAt: number;
}

/**
 * A key as the store keeps it: everything but the key itself, of which only the digest
 * (`hash`) is kept. Times are epoch ms; `null` is "never" / "not yet".
 */
export interface ApiKeyRecord {
  readonly id: string;
  /** `sha256:<hex>` or `hmac-sha256:<hex>` of the whole key text. */
  readonly hash: string;
  readonly ownerId: string;
  readonly name: string;
  readonly environment: ApiKeyEnvironment;
  /** The public start of the key (`<prefix>_<environment>_<id>`), to show in listings. */
  readonly start: string;
  readonly scopes: readonly string[];
  readonly metadata: ApiKeyMetadata;
  readonly createdAt: number;
  /** `null` only for a key created with `expiresIn: 'never'` (explicit opt-in). */
  readonly expiresAt: number | null;
  readonly revokedAt: number | null;
  readonly lastUsedAt: number | null;
  /** The id of the key that replaced this one by rotation. */
  readonly replacedBy: string | null;
  readonly credits: ApiKeyCredits | null;
}

/** What `rotate` answers. */
export type ApiKeyRotateResult =
  | { readonly ok: true; readonly previous: ApiKeyRecord }
  | { readonly ok: false; readonly reason: 'not_found' | 'revoked' | 'expired' | 'rotated' };

/** What `consumeCredits` answers: `undefined` for a missing key; `limited: false` for a key without credits. */
export type ApiKeyCreditsResult =
  | { readonly limited: false }
  | { readonly limited: true; readonly ok: boolean; readonly remaining: number };

/**
 * How a store tells this process that cached keys changed (revoked, rotated): the
 * verified-key cache drops them. `trusted` says whether every change made anywhere up to
 * a bounded staleness has reached this process; while it is false, the cache is not
 * used (every verify asks the store), so a lost notification never keeps a revoked key
 * alive. A store shared by several processes earns it (the Redis store: sequence numbers
 * and heartbeats); the memory store is always trusted.
 */
export interface ApiKeyInvalidations {
  readonly trusted: boolean;
  /** `listener(id)` for one key, `listener(undefined)` for "forget every key". Answers an unsubscribe. */
  subscribe(listener: (id: string | undefined) => void): () => void;
}

/**
 * The storage port of API keys: the few atomic operations the manager needs. Each runs
 * as one atomic step (the memory store synchronously, Redis as one Lua script), with the
 * store's own clock for revocation, rotation, `lastUsedAt` and credits.
 * `runApiKeyStoreConformance` in `@bulwark/testkit` checks an implementation.
 */
export interface ApiKeyStore {
  /** Adds a record; rejects with `store_conflict` when the id exists (never overwrites). */
  create(record: ApiKeyRecord): Promise<void>;
  get(id: string): Promise<ApiKeyRecord | undefined>;
  /** Every record of an owner (revoked and expired ones too, until the store reclaims them), oldest first. */
  list(ownerId: string): Promise<ApiKeyRecord[]>;
  /**
   * Revokes at once (the store's now) and tells every process. `ownerId`: only when the key
   * is that owner's. Answers the record (revoked; already revoked keeps its first time), or
   * `undefined` when there is no such key (of that owner).
   */
  revoke(id: string, ownerId?: string): Promise<ApiKeyRecord | undefined>;
  /**
   * Replaces a live key by `replacement` in one atomic step: creates it, and ends the old
   * one after `overlapMs` (0: revoked at once), never later than its own expiry. Only one
   * rotation of a key succeeds (the others answer `rotated`).
   */
  rotate(
    id: string,
    ownerId: string | undefined,
    replacement: ApiKeyRecord,
    overlapMs: number,
  ): Promise<ApiKeyRotateResult>;
  /** Sets `lastUsedAt` to the store's now, unless it is less than `minIntervalMs` old. */
  touch(id: string, minIntervalMs: number): Promise<void>;
  /** Spends `cost` credits atomically after any refill due; never below zero (a refusal spends nothing). */
  consumeCredits(id: string, cost: number): Promise<ApiKeyCreditsResult | undefined>;
  readonly invalidations: ApiKeyInvalidations;
  /** Releases what the store holds (connections, timers). */
  close?(): Promise<void>;
}
