import type { AuthFailureReason, Principal } from '@bulwark/core';
import type { CachedKey, VerifiedKeyCache } from './cache.js';
import { emitKeyEvent } from './events.js';
import { apiKeyLength, parseApiKey } from './format.js';
import { constantTimeEqual, decodeDigest } from './hashing.js';
import type { CheckedApiKeysOptions } from './options.js';
import type { ApiKeyRecord } from './port.js';

/** What `verify` answers: the owner's principal with the key's scopes, or why the key is refused. */
export type ApiKeyVerifyOutcome =
  | { readonly ok: true; readonly principal: Principal; readonly record: ApiKeyRecord }
  | { readonly ok: false; readonly reason: AuthFailureReason };

const fail = (reason: AuthFailureReason): ApiKeyVerifyOutcome => ({ ok: false, reason });
const MALFORMED = Object.freeze(fail('malformed'));
const CHECKSUM = Object.freeze(fail('checksum'));
const UNKNOWN = Object.freeze(fail('unknown_credential'));
const REVOKED = Object.freeze(fail('revoked'));
const EXPIRED = Object.freeze(fail('expired'));
const UNAVAILABLE = Object.freeze(fail('store_unavailable'));

function principalOf(record: ApiKeyRecord, kind: 'user' | 'service'): Principal {
  return Object.freeze({
    subject: record.ownerId,
    kind,
    scopes: Object.freeze([...record.scopes]),
    source: Object.freeze({ kind: 'api_key' as const, keyId: record.id }),
    claims: Object.freeze({}),
  });
}

/**
 * The verify of `apiKeys()`: a cache hit (the exact text of a key that verified before),
 * or parse and checksum (offline: a typo or garbage never reaches the store), one store
 * read by id and the digest of the presented key compared in constant time with the
 * stored one; then, on every path, revocation and expiry. Synchronous on a cache hit. `lastUsedAt` is written at most once per `lastUsedInterval` per key and
 * process, in the background.
 */
export function keyVerifier(
  config: CheckedApiKeysOptions,
  cache: VerifiedKeyCache | undefined,
): (key: unknown) => ApiKeyVerifyOutcome | Promise<ApiKeyVerifyOutcome> {
  const { store, hasher, clock, prefix, accepted, lastUsedInterval, onKeyEvent, principalKind } = config;
  const keyLength = apiKeyLength(prefix);

  /** The checks of a key whose text matched its digest (now, or when it was cached). */
  function accept(entry: CachedKey, now: number): ApiKeyVerifyOutcome {
    const { record } = entry;
    if (record.revokedAt !== null && record.revokedAt <= now) return REVOKED;
    if (record.expiresAt !== null && record.expiresAt <= now) return EXPIRED;
    if (now - entry.touchedAt >= lastUsedInterval) {
      entry.touchedAt = now;
      // Best effort: a failed write of lastUsedAt never refuses a valid key.
      store.touch(record.id, lastUsedInterval).catch(() => {});
    }
    if (onKeyEvent !== undefined) {
      emitKeyEvent(onKeyEvent, { type: 'apikey.used', at: now, keyId: record.id, ownerId: record.ownerId });
    }
    return { ok: true, principal: entry.principal, record };
  }

  async function lookup(id: string, key: string, now: number): Promise<ApiKeyVerifyOutcome> {
    const generation = cache?.generation ?? 0;
    let record: ApiKeyRecord | undefined;
    try {
      record = await store.get(id);
    } catch {
      return UNAVAILABLE;
    }
    if (record === undefined) return UNKNOWN;
    const digest = decodeDigest(hasher.algorithm, record.hash);
    if (digest === undefined || !constantTimeEqual(hasher.digest(key), digest)) return UNKNOWN;
    const entry: CachedKey = {
      record,
      principal: principalOf(record, principalKind),
      cachedAt: now,
      touchedAt: record.lastUsedAt ?? Number.NEGATIVE_INFINITY,
    };
    const outcome = accept(entry, now);
    // Only a key that verified is cached: a wrong secret for a real id caches nothing.
    if (outcome.ok && cache !== undefined) cache.set(key, entry, generation);
    return outcome;
  }

  return (key) => {
    const now = clock.now();
    // The exact text of a key that verified: parsed, checksummed and hashed then (see cache.ts).
    if (typeof key === 'string' && key.length === keyLength && cache !== undefined) {
      const hit = cache.get(key, now);
      if (hit !== undefined) return accept(hit, now);
    }
    const parsed = parseApiKey(key, prefix);
    if (!parsed.ok) return parsed.reason === 'checksum' ? CHECKSUM : MALFORMED;
    const { id, environment } = parsed.parts;
    if (!accepted.has(environment)) return UNKNOWN;
    return lookup(id, key as string, now);
  };
}
