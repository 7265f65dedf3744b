import { BulwarkError, type Clock, checkOptions, systemClock } from '@bulwark/core';
import type { SigningAlgorithm } from '../keys.js';

/**
 * One key as a keyring store keeps it. The store treats every field but the numbers as
 * opaque: the private key travels sealed (AES-256-GCM under the key-encryption key, see
 * seal.ts), so a store (or whoever reads it) never sees key material.
 */
export interface KeyringRecord {
  /** 1 for the first key, then one more per rotation: the order of the keys. */
  readonly generation: number;
  readonly kid: string;
  readonly alg: SigningAlgorithm;
  /** The store's time (epoch ms) when the record was created. */
  readonly createdAt: number;
  /** The store's time from which the key signs (before it, it is only published). */
  readonly activatesAt: number;
  /** The private JWK, sealed: `v1.<iv>.<ciphertext>` in base64url. */
  readonly sealed: string;
}

/** A record as a keyring offers it to {@link KeyringStore.create}: the store stamps the times. */
export type NewKeyringRecord = Omit<KeyringRecord, 'createdAt' | 'activatesAt'>;

/** What a store answers: its time and every record, ordered by generation. */
export interface KeyringSnapshot {
  /** The store's clock (epoch ms): Redis `TIME`, or the `now` the call gave. */
  readonly now: number;
  readonly records: readonly KeyringRecord[];
}

export interface KeyringCreateOptions {
  /** `activatesAt` = the store's now + this (ms): 0 for a first key, `publishAhead` after. */
  readonly activateAfter: number;
  /** Records of a generation below this are deleted in the same atomic step (retired keys). */
  readonly dropBelow: number;
  /** The time to use instead of the store's clock (an injected clock, tests). */
  readonly now?: number | undefined;
}

/**
 * The keyring's storage port: two atomic operations. Several processes (each with its own
 * keyring) share one store; `create` is a compare-and-set on the generation, so of many
 * processes that decide at once that a new key is due, exactly one creates it and every
 * other one gets the winner's record back in the same answer.
 */
export interface KeyringStore {
  /** Every record and the store's time. */
  load(now?: number): Promise<KeyringSnapshot>;
  /**
   * Adds `record` only if the highest generation ever created is `record.generation - 1`
   * (0 for none), stamping `createdAt` (now) and `activatesAt` (now + `activateAfter`),
   * and drops records below `dropBelow`; answers `created` and the records after the step
   * (when `created` is false, the record of that generation is someone else's).
   */
  create(record: NewKeyringRecord, options: KeyringCreateOptions): Promise<KeyringSnapshot & { created: boolean }>;
}

export interface MemoryKeyringStoreOptions {
  /** The store's clock when a call gives no `now`. Default: the system clock. */
  readonly clock?: Clock | undefined;
}

/**
 * The key-encryption key of each memory store: records in memory never leave the process,
 * so a keyring on a memory store needs no user-supplied key, yet every keyring sharing one
 * memory store (the in-process race tests, several issuers in one app) opens the others'
 * records. A WeakMap, not a property: nothing enumerates it and a store another package
 * writes cannot claim to be a memory store.
 */
const memoryKeys = new WeakMap<KeyringStore, Uint8Array>();

/** The key-encryption key of a store made by {@link memoryKeyringStore}, else undefined. */
export function memoryStoreKey(store: KeyringStore): Uint8Array | undefined {
  return memoryKeys.get(store);
}

export function checkGeneration(record: NewKeyringRecord, options: KeyringCreateOptions): void {
  if (!Number.isSafeInteger(record.generation) || record.generation < 1) {
    throw new BulwarkError('invalid_argument', 'a keyring record generation is a positive integer');
  }
  if (!Number.isSafeInteger(options.activateAfter) || options.activateAfter < 0) {
    throw new BulwarkError('invalid_argument', 'activateAfter is a non-negative integer (ms)');
  }
  if (!Number.isSafeInteger(options.dropBelow)) {
    throw new BulwarkError('invalid_argument', 'dropBelow is an integer generation');
  }
}

/**
 * The in-process keyring store: the default of `keyring()`, and the reference the Redis
 * store is tested against (testkit's keyring conformance suite). It holds a handful of
 * records (one per rotation until they retire), so it needs no bound of its own.
 *
 * @example
 * ```ts
 * const store = memoryKeyringStore();
 * const issuerKeys = keyring({ store, algorithm: 'EdDSA' });
 * ```
 */
export function memoryKeyringStore(options: MemoryKeyringStoreOptions = {}): KeyringStore {
  checkOptions(options, ['clock']);
  const clock = options.clock ?? systemClock;
  let head = 0;
  let records: KeyringRecord[] = [];
  const snapshot = (now: number): KeyringSnapshot => ({ now, records: records.slice() });
  const store: KeyringStore = {
    async load(now) {
      return snapshot(now ?? clock.now());
    },
    async create(record, createOptions) {
      checkGeneration(record, createOptions);
      const now = createOptions.now ?? clock.now();
      if (record.generation !== head + 1) return { ...snapshot(now), created: false };
      head = record.generation;
      const stored: KeyringRecord = Object.freeze({
        generation: record.generation,
        kid: record.kid,
        alg: record.alg,
        createdAt: now,
        activatesAt: now + createOptions.activateAfter,
        sealed: record.sealed,
      });
      records = [...records.filter((r) => r.generation >= createOptions.dropBelow), stored];
      return { ...snapshot(now), created: true };
    },
  };
  memoryKeys.set(store, globalThis.crypto.getRandomValues(new Uint8Array(32)));
  return store;
}
