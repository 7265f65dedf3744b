import { BulwarkError, type Duration } from '@bulwark/core';
import { VerifiedKeyCache } from './cache.js';
import { emitKeyEvent } from './events.js';
import { formatApiKey, generateApiKeyParts } from './format.js';
import { encodeDigest } from './hashing.js';
import {
  type CreditsInput,
  checkCredits,
  checkExpiry,
  checkId,
  checkMetadata,
  checkName,
  checkOverlap,
  checkOwnerScopes,
  checkScopes,
} from './input.js';
import { type ApiKeysOptions, type CheckedApiKeysOptions, checkApiKeysOptions } from './options.js';
import type { ApiKeyCreditsResult, ApiKeyMetadata, ApiKeyRecord, ApiKeyStore } from './port.js';
import { type ApiKeyVerifyOutcome, keyVerifier } from './verifier.js';

/** A key as shown to its owner: the record without its digest. */
export type ApiKeyInfo = Omit<ApiKeyRecord, 'hash'>;

/** A new key: its info and the key itself, which is shown this once and kept nowhere. */
export interface CreatedApiKey extends ApiKeyInfo {
  readonly key: string;
}

export interface CreateApiKeyInput {
  readonly ownerId: string;
  /** The owner's scopes now: the key's are a subset of them (more is refused, 422). */
  readonly ownerScopes: readonly string[];
  readonly name: string;
  /** Default: all of `ownerScopes`. */
  readonly scopes?: readonly string[] | undefined;
  /** Default the manager's `defaultExpiresIn`; `'never'` only with `allowNeverExpiring`. */
  readonly expiresIn?: Duration | 'never' | undefined;
  readonly metadata?: ApiKeyMetadata | undefined;
  readonly credits?: CreditsInput | undefined;
}

export interface RotateApiKeyInput {
  /** Only that owner's key (another's answers `not_found`). */
  readonly ownerId?: string | undefined;
  /** How long the old key keeps working. Default the manager's `defaultOverlap` (1 day); 0: it stops at once. */
  readonly overlap?: Duration | undefined;
  /** The new key's life. Default the manager's `defaultExpiresIn`. */
  readonly expiresIn?: Duration | 'never' | undefined;
  /**
   * The scopes the rotation may hand out: those of the credential asking (a token's or a
   * key's), as `create` takes them. The new key carries the old key's scopes, so a key
   * holding any scope beyond these is not rotated (`reason: 'insufficient_scope'`, with the
   * scopes missing): otherwise a narrow credential allowed to manage keys could rotate a
   * broader key of its owner and receive that key's scopes. Omitted: no check, for a caller
   * with the owner's whole authority (an administrator, a back office).
   */
  readonly ownerScopes?: readonly string[] | undefined;
}

export type RotateApiKeyResult =
  | { readonly ok: true; readonly key: CreatedApiKey; readonly previous: ApiKeyInfo }
  | { readonly ok: false; readonly reason: 'not_found' | 'revoked' | 'expired' | 'rotated' }
  | { readonly ok: false; readonly reason: 'insufficient_scope'; readonly missing: readonly string[] };

/** The API-key manager `apiKeys()` returns. */
export interface ApiKeys {
  /** The prefix of this manager's keys (the authenticator claims bearer values that carry it). */
  readonly prefix: string;
  readonly store: ApiKeyStore;
  create(input: CreateApiKeyInput): Promise<CreatedApiKey>;
  get(id: string): Promise<ApiKeyInfo | undefined>;
  list(ownerId: string): Promise<ApiKeyInfo[]>;
  /** Revokes at once, in every process. `ownerId`: only that owner's key. Answers false when there is none. */
  revoke(id: string, options?: { readonly ownerId?: string | undefined }): Promise<boolean>;
  rotate(id: string, options?: RotateApiKeyInput): Promise<RotateApiKeyResult>;
  /** Verifies a presented key; synchronous on a verified-key cache hit. */
  verify(key: unknown): ApiKeyVerifyOutcome | Promise<ApiKeyVerifyOutcome>;
  /**
   * Spends credits of a key atomically in the store (`{ limited: false }` for a key without
   * credits: answered from the verified-key cache, with no store call, when it holds the key).
   */
  consumeCredits(id: string, cost?: number): Promise<ApiKeyCreditsResult | undefined>;
  /** Stops listening to invalidations and closes the store. */
  close(): Promise<void>;
}

const UNLIMITED: ApiKeyCreditsResult = Object.freeze({ limited: false });

export function infoOf(record: ApiKeyRecord): ApiKeyInfo {
  const { hash: _hash, ...info } = record;
  return Object.freeze(info);
}

function newRecord(
  config: CheckedApiKeysOptions,
  fields: Pick<ApiKeyRecord, 'ownerId' | 'name' | 'scopes' | 'metadata' | 'expiresAt' | 'credits' | 'createdAt'>,
): { key: string; record: ApiKeyRecord } {
  const parts = generateApiKeyParts(config.prefix, config.environment);
  const key = formatApiKey(parts);
  const record: ApiKeyRecord = Object.freeze({
    ...fields,
    id: parts.id,
    hash: encodeDigest(config.hasher.algorithm, config.hasher.digest(key)),
    environment: parts.environment,
    start: `${parts.prefix}_${parts.environment}_${parts.id}`,
    revokedAt: null,
    lastUsedAt: null,
    replacedBy: null,
  });
  return { key, record };
}

/**
 * API keys: creation (the key returned once, only its digest stored), verification with a
 * verified-key cache, revocation effective at once in every process, rotation with an
 * overlap window, expiry (a default and a maximum; never-expiring keys only by opt-in),
 * scopes as a subset of the owner's, `lastUsedAt` at most once a minute, usage events and
 * optional credits. Give `apiKeyAuthenticator(keys)` to core's `authenticationPolicy`.
 *
 * @example
 * ```ts
 * import { apiKeys } from '@bulwark/api-keys';
 *
 * const keys = apiKeys({ prefix: 'notes' });
 * const created = await keys.create({ ownerId: 'user-1', ownerScopes: ['notes:read', 'notes:write'], name: 'CI', scopes: ['notes:read'] });
 * created.key; // 'notes_live_...' — show it once
 * const outcome = await keys.verify(created.key); // { ok: true, principal: { subject: 'user-1', scopes: ['notes:read'], ... } }
 * await keys.rotate(created.id, { ownerId: 'user-1', overlap: '1h' });
 * await keys.revoke(created.id, { ownerId: 'user-1' });
 * ```
 */
export function apiKeys(options: ApiKeysOptions = {}): ApiKeys {
  const config = checkApiKeysOptions(options);
  const { store, clock, onKeyEvent } = config;
  const cache =
    config.cache === undefined
      ? undefined
      : new VerifiedKeyCache(store.invalidations, config.cache.maxEntries, config.cache.ttl);
  const verify = keyVerifier(config, cache);

  return Object.freeze({
    prefix: config.prefix,
    store,
    async create(input: CreateApiKeyInput) {
      if (typeof input !== 'object' || input === null)
        throw new BulwarkError('invalid_argument', 'expected the key to create');
      const ownerId = checkId(input.ownerId, 'ownerId');
      const now = clock.now();
      const { key, record } = newRecord(config, {
        ownerId,
        name: checkName(input.name),
        scopes: checkScopes(input.scopes, input.ownerScopes),
        metadata: checkMetadata(input.metadata),
        expiresAt: checkExpiry(input.expiresIn, config, now),
        credits: checkCredits(input.credits, now),
        createdAt: now,
      });
      await store.create(record);
      emitKeyEvent(onKeyEvent, { type: 'apikey.created', at: now, keyId: record.id, ownerId });
      return Object.freeze({ ...infoOf(record), key });
    },
    async get(id: string) {
      const record = await store.get(checkId(id, 'id'));
      return record === undefined ? undefined : infoOf(record);
    },
    async list(ownerId: string) {
      return (await store.list(checkId(ownerId, 'ownerId'))).map(infoOf);
    },
    async revoke(id: string, revokeOptions: { readonly ownerId?: string | undefined } = {}) {
      const ownerId = revokeOptions.ownerId === undefined ? undefined : checkId(revokeOptions.ownerId, 'ownerId');
      const record = await store.revoke(checkId(id, 'id'), ownerId);
      if (record === undefined) return false;
      cache?.evict(record.id);
      emitKeyEvent(onKeyEvent, { type: 'apikey.revoked', at: clock.now(), keyId: record.id, ownerId: record.ownerId });
      return true;
    },
    async rotate(id: string, rotateOptions: RotateApiKeyInput = {}): Promise<RotateApiKeyResult> {
      const ownerId = rotateOptions.ownerId === undefined ? undefined : checkId(rotateOptions.ownerId, 'ownerId');
      const overlap = checkOverlap(rotateOptions.overlap, config);
      const allowedScopes =
        rotateOptions.ownerScopes === undefined ? undefined : new Set(checkOwnerScopes(rotateOptions.ownerScopes));
      const current = await store.get(checkId(id, 'id'));
      if (current === undefined || (ownerId !== undefined && current.ownerId !== ownerId)) {
        return { ok: false, reason: 'not_found' };
      }
      if (allowedScopes !== undefined) {
        const missing = current.scopes.filter((scope) => !allowedScopes.has(scope));
        if (missing.length > 0) return { ok: false, reason: 'insufficient_scope', missing: Object.freeze(missing) };
      }
      const now = clock.now();
      const { key, record } = newRecord(config, {
        ownerId: current.ownerId,
        name: current.name,
        scopes: current.scopes,
        metadata: current.metadata,
        expiresAt: checkExpiry(rotateOptions.expiresIn, config, now),
        credits: current.credits,
        createdAt: now,
      });
      // The store checks the old key again, atomically: a concurrent rotate or revoke wins or loses whole.
      const result = await store.rotate(current.id, ownerId, record, overlap);
      if (!result.ok) return result;
      cache?.evict(current.id);
      const endsAt = result.previous.revokedAt ?? result.previous.expiresAt ?? now + overlap;
      emitKeyEvent(onKeyEvent, {
        type: 'apikey.rotated',
        at: now,
        keyId: current.id,
        ownerId: current.ownerId,
        replacedBy: record.id,
        endsAt,
      });
      return { ok: true, key: Object.freeze({ ...infoOf(record), key }), previous: infoOf(result.previous) };
    },
    verify,
    async consumeCredits(id: string, cost = 1) {
      if (!Number.isSafeInteger(cost) || cost < 1)
        throw new BulwarkError('invalid_argument', 'cost: expected a positive integer');
      // Whether a key has credits never changes (rotation copies them): a cached key without any costs no store call.
      if (cache?.recordOf(id)?.credits === null) return UNLIMITED;
      return store.consumeCredits(checkId(id, 'id'), cost);
    },
    async close() {
      cache?.close();
      await store.close?.();
    },
  });
}
