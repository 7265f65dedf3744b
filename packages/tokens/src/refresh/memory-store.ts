import { BulwarkError, type Clock, ConfigError, checkOptions } from '@bulwark/core';
import { clockOption } from '../revocation/memory-store.js';
import { MemoryFamily } from './memory-family.js';
import type { CreateFamilyInput, RefreshTokenStore } from './port.js';

export interface MemoryRefreshTokenStoreOptions {
  /**
   * Most families held at once (live, revoked and expired ones not yet reclaimed). Default
   * 100,000. When full, the ended families (past their idle or absolute expiry) and then
   * the revoked ones are dropped; if every family is still live, `createFamily` rejects
   * with {@link RefreshStoreFullError}: a live session is never forgotten to make room.
   */
  readonly maxFamilies?: number | undefined;
  /** The store's clock (epoch ms): it times the grace window and the lifetimes. Default `Date.now`. */
  readonly clock?: (() => number) | Clock | undefined;
}

/** `createFamily` on a memory store full of live families. Code `store_full` (a 503 at an adapter). */
export class RefreshStoreFullError extends BulwarkError {
  constructor(maxFamilies: number) {
    super('store_full', `the memory refresh-token store holds ${maxFamilies} live families`);
    this.name = 'RefreshStoreFullError';
  }
}

/** The memory store, with its size for tests and metrics. */
export interface MemoryRefreshTokenStore extends RefreshTokenStore {
  /** Families held (including ended ones not yet reclaimed). */
  readonly size: number;
}

/** Creations between two opportunistic sweeps, so ended families are reclaimed before the store fills. */
const SWEEP_EVERY = 1024;

function invalid(what: string): never {
  throw new BulwarkError('invalid_argument', `createFamily: ${what}`);
}

function checkCreateInput(input: CreateFamilyInput): void {
  const positive = (n: unknown) => Number.isSafeInteger(n) && (n as number) > 0;
  if (typeof input.familyId !== 'string' || typeof input.subjectTag !== 'string' || input.subjectTag === '') {
    invalid('familyId and subjectTag must be strings');
  }
  if (!input.familyId.startsWith(input.subjectTag) || input.familyId.length <= input.subjectTag.length) {
    invalid('a family id begins with its subject tag');
  }
  if (typeof input.subject !== 'string' || typeof input.clientId !== 'string' || typeof input.tokenHash !== 'string') {
    invalid('subject, clientId and tokenHash must be strings');
  }
  if (!Array.isArray(input.scopes) || input.scopes.some((s) => typeof s !== 'string')) {
    invalid('scopes must be an array of strings');
  }
  if (!positive(input.absoluteLifetimeMs) || !positive(input.idleLifetimeMs) || !positive(input.maxFamilies)) {
    invalid('the lifetimes and maxFamilies must be positive integers');
  }
}

/**
 * The in-process refresh-token store, the default of `refreshTokens()` and the reference
 * implementation of the port: each operation is synchronous code, hence atomic. Bounded:
 * at most `maxFamilies` families; a family is reclaimed (no timer: by sweeps every 1,024
 * creations and whenever the store is full) once it has ended, and its spent hashes live
 * no longer than it does (a revocation drops them at once). Within one process only;
 * `@bulwark/redis` shares families between processes.
 *
 * @example
 * ```ts
 * import { memoryRefreshTokenStore, refreshTokens } from '@bulwark/tokens';
 * const refresh = refreshTokens({ store: memoryRefreshTokenStore({ maxFamilies: 50_000 }), grace: '10s' });
 * ```
 */
export function memoryRefreshTokenStore(options: MemoryRefreshTokenStoreOptions = {}): MemoryRefreshTokenStore {
  checkOptions(options, ['maxFamilies', 'clock']);
  const maxFamilies = options.maxFamilies ?? 100_000;
  if (!Number.isSafeInteger(maxFamilies) || maxFamilies < 1) {
    throw new ConfigError('maxFamilies', 'expected a positive integer');
  }
  const now = clockOption(options.clock);
  const families = new Map<string, MemoryFamily>();
  /** Each subject's family ids in creation order (a Set keeps insertion order). */
  const bySubject = new Map<string, Set<string>>();
  /** No family ends before this (a lower bound: idle expiries only move later). */
  let earliest = Number.POSITIVE_INFINITY;
  let revokedHeld = 0;
  let createdSinceSweep = 0;

  const drop = (family: MemoryFamily) => {
    families.delete(family.info.familyId);
    if (family.revoked) revokedHeld -= 1;
    const ids = bySubject.get(family.info.subject);
    ids?.delete(family.info.familyId);
    if (ids?.size === 0) bySubject.delete(family.info.subject);
  };
  const revoke = (family: MemoryFamily) => {
    family.revoke();
    revokedHeld += 1;
  };
  const sweep = (at: number, dropRevoked: boolean) => {
    earliest = Number.POSITIVE_INFINITY;
    for (const family of families.values()) {
      if (at >= family.endsAt || (dropRevoked && family.revoked)) drop(family);
      else earliest = Math.min(earliest, family.endsAt);
    }
  };
  const liveOf = (subject: string, at: number) => {
    const live: MemoryFamily[] = [];
    for (const id of bySubject.get(subject) ?? []) {
      const family = families.get(id) as MemoryFamily;
      if (family.isLive(at)) live.push(family);
    }
    return live;
  };

  return {
    get size() {
      return families.size;
    },
    async createFamily(input) {
      checkCreateInput(input);
      const at = now();
      if (families.has(input.familyId)) {
        throw new BulwarkError('store_conflict', 'a refresh family with this id already exists');
      }
      if (++createdSinceSweep >= SWEEP_EVERY) {
        createdSinceSweep = 0;
        sweep(at, false);
      }
      if (families.size >= maxFamilies && (earliest <= at || revokedHeld > 0)) sweep(at, true);
      if (families.size >= maxFamilies) throw new RefreshStoreFullError(maxFamilies);
      const { familyId, subject, clientId } = input;
      const info = Object.freeze({ familyId, subject, clientId, scopes: Object.freeze([...input.scopes]) });
      const family = new MemoryFamily(
        info,
        input.subjectTag,
        input.tokenHash,
        at,
        input.absoluteLifetimeMs,
        input.idleLifetimeMs,
      );
      families.set(familyId, family);
      earliest = Math.min(earliest, family.endsAt);
      const ids = bySubject.get(subject) ?? new Set<string>();
      bySubject.set(subject, ids.add(familyId));
      const live = liveOf(subject, at);
      const evicted = live.slice(0, Math.max(0, live.length - input.maxFamilies)).map((old) => {
        revoke(old);
        return old.info.familyId;
      });
      return { now: at, absoluteExpiresAt: family.absoluteExpiresAt, idleExpiresAt: family.idleExpiresAt, evicted };
    },
    async rotate(input) {
      const at = now();
      const family = families.get(input.familyId);
      if (family === undefined) return { outcome: 'invalid', reason: 'unknown', now: at };
      const wasRevoked = family.revoked;
      const result = family.rotate(input, at);
      if (!wasRevoked && family.revoked) revokedHeld += 1;
      return result;
    },
    async revokeFamily(familyId) {
      const family = families.get(familyId);
      if (family === undefined || family.revoked) return false;
      revoke(family);
      return true;
    },
    async revokeSubject(subject) {
      return liveOf(subject, now()).map((family) => {
        revoke(family);
        return family.info.familyId;
      });
    },
    async getFamily(familyId) {
      return families.get(familyId)?.state(now());
    },
  };
}
