import { canonicalIpv4Value } from '@bulwark/core';
import { type Algorithm, refundState, stepRecord } from './algorithms.js';
import { decide, type KeyRecord, type KeyWrite } from './evaluate.js';
import { KeyEvictor } from './key-evictor.js';
import { KeyRecords } from './key-records.js';
import type { ConsumeResult, LimitCheck, LimitOutcome, StoreKey } from './port.js';
import type { ScopeKeys } from './scope-keys.js';
import { ScopeRegistry } from './scope-registry.js';

const SWEEP_BATCH = 32;

/** The number a key is indexed by: its IPv4 address, or -1 for a key kept by string. */
const ipv4Of = (check: StoreKey): number => check.ipv4 ?? canonicalIpv4Value(check.key);

/** Whether an outcome leaves the key without room (eviction must spare it meanwhile). */
const leavesNoRoom = (outcome: LimitOutcome): boolean => !(outcome.allowed && outcome.remaining > 0);

/**
 * The memory store's engine: finds each check's key (in its scope's index), runs the
 * algorithm on the key's record, and writes the result, creating keys within `maxKeys`
 * (evicting an idle key at the cap). Time is always given: the store reads its clock.
 * See `memoryStore` for the design; each part lives in its own file: the records
 * (`KeyRecords`), the scopes (`ScopeRegistry`, `ScopeKeys`), eviction (`KeyEvictor`).
 */
export class MemoryEngine {
  readonly #maxKeys: number;
  readonly #full: () => Error;
  readonly #records: KeyRecords;
  readonly #scopes: ScopeRegistry;
  readonly #evictor: KeyEvictor;
  /** The one-limit path's step record, reused: a check allocates only its answer. */
  readonly #step = stepRecord();
  /** Keys across all scopes: the bound. */
  #size = 0;

  /** `full()`: the error to throw when every key is limited and a new one must be created. */
  constructor(maxKeys: number, full: () => Error) {
    this.#maxKeys = maxKeys;
    this.#full = full;
    this.#records = new KeyRecords(Math.min(maxKeys, 1024));
    this.#scopes = new ScopeRegistry((scope, slot) => this.#released(scope, slot));
    this.#evictor = new KeyEvictor(this.#records, this.#scopes);
  }

  get size(): number {
    return this.#size;
  }

  /** A consume (`commit`) or a peek of every limit of one request. */
  check(
    algorithm: Algorithm,
    checks: readonly LimitCheck[],
    cost: number,
    now: number,
    commit: boolean,
  ): ConsumeResult {
    return checks.length === 1
      ? this.#checkOne(algorithm, checks[0] as LimitCheck, cost, now, commit)
      : this.#checkSeveral(algorithm, checks, cost, now, commit);
  }

  refund(algorithm: Algorithm, checks: readonly LimitCheck[], cost: number, now: number): void {
    const records = this.#records;
    for (const check of checks) {
      const slot = this.#find(check, ipv4Of(check), now);
      if (slot < 0 || !records.hasState(slot)) continue;
      const next = refundState(
        algorithm,
        [records.a(slot), records.b(slot), records.c(slot)],
        now,
        cost,
        check.limit,
        check.windowMs,
      );
      records.writeState(slot, next[0], next[1], next[2]);
    }
  }

  reset(keys: readonly StoreKey[]): void {
    for (const storeKey of keys) {
      const scope = this.#scopes.find(storeKey.scope);
      if (scope === undefined) continue;
      const ipv4 = ipv4Of(storeKey);
      const slot = scope.get(storeKey.key, ipv4);
      if (slot >= 0) scope.delete(storeKey.key, ipv4, slot);
    }
  }

  /**
   * The single-limit path (most requests): the rules of `decide`, without its arrays. Both
   * paths run the same conformance, differential and memory-vs-Lua tests.
   */
  #checkOne(algorithm: Algorithm, check: LimitCheck, cost: number, now: number, commit: boolean): ConsumeResult {
    const records = this.#records;
    const step = this.#step;
    const ipv4 = ipv4Of(check);
    let slot = this.#find(check, ipv4, now);
    records.step(slot, algorithm, now, cost, check.limit, check.windowMs, step);
    const blockedUntil = slot < 0 ? 0 : records.blockedUntil(slot);
    let outcome: LimitOutcome;
    if (blockedUntil > now) {
      const wait = blockedUntil - now;
      outcome = { allowed: false, remaining: 0, resetMs: Math.max(step.resetMs, wait), retryAfterMs: wait };
    } else if (commit && !step.allowed && check.blockMs > 0) {
      slot = this.#slotFor(check, ipv4, slot, now);
      records.startBlock(slot, now + check.blockMs);
      records.keepUntil(slot, now + Math.max(check.blockMs, step.ttlMs));
      outcome = { allowed: false, remaining: 0, resetMs: check.blockMs, retryAfterMs: check.blockMs };
    } else {
      if (commit && step.allowed) {
        slot = this.#slotFor(check, ipv4, slot, now);
        records.saveStep(slot, step, now + step.ttlMs);
      }
      outcome = {
        allowed: step.allowed,
        remaining: step.remaining,
        resetMs: step.resetMs,
        retryAfterMs: step.retryAfterMs,
      };
    }
    // Most checks leave room: no call then.
    if (commit && slot >= 0 && leavesNoRoom(outcome)) this.#markNoRoom(slot, outcome, now);
    return { allowed: outcome.allowed, now, outcomes: [outcome] };
  }

  /** Several limits, all or nothing, through `decide`. */
  #checkSeveral(
    algorithm: Algorithm,
    checks: readonly LimitCheck[],
    cost: number,
    now: number,
    commit: boolean,
  ): ConsumeResult {
    const n = checks.length;
    const found: number[] = new Array(n);
    const ipv4s: number[] = new Array(n);
    const records: KeyRecord[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const check = checks[i] as LimitCheck;
      const ipv4 = ipv4Of(check);
      const slot = this.#find(check, ipv4, now);
      ipv4s[i] = ipv4;
      found[i] = slot;
      records[i] = this.#recordOf(slot);
    }
    const { result, writes } = decide(algorithm, checks, records, cost, now, commit);
    if (!commit) return result;
    let created = 0;
    for (let i = 0; i < n; i++) if (writes[i] !== undefined && (found[i] as number) < 0) created++;
    if (created > 0) this.#makeRoomFor(created, found, now);
    for (let i = 0; i < n; i++) {
      const write = writes[i];
      let slot = found[i] as number;
      if (write !== undefined) slot = this.#apply(checks[i] as LimitCheck, ipv4s[i] as number, slot, write, now);
      const outcome = result.outcomes[i];
      if (slot >= 0 && outcome !== undefined && leavesNoRoom(outcome)) this.#markNoRoom(slot, outcome, now);
    }
    return result;
  }

  /** The live slot of a check's key, or -1 (an expired record is dropped on the way). */
  #find(check: StoreKey, ipv4: number, now: number): number {
    const scope = this.#scopes.find(check.scope);
    if (scope === undefined) return -1;
    const slot = scope.get(check.key, ipv4);
    if (slot < 0) return -1;
    if (this.#records.expired(slot, now)) {
      scope.delete(check.key, ipv4, slot);
      return -1;
    }
    return slot;
  }

  #recordOf(slot: number): KeyRecord {
    if (slot < 0) return { state: undefined, blockedUntil: 0 };
    const records = this.#records;
    return {
      state: records.hasState(slot) ? [records.a(slot), records.b(slot), records.c(slot)] : undefined,
      blockedUntil: records.blockedUntil(slot),
    };
  }

  /** The slot `found`, or a new key's when the check's key was not found. */
  #slotFor(check: StoreKey, ipv4: number, found: number, now: number): number {
    return found >= 0 ? found : this.#create(check.scope, check.key, ipv4, now);
  }

  /** Writes what `decide` asks of one key (creating it if needed). */
  #apply(check: StoreKey, ipv4: number, found: number, write: KeyWrite, now: number): number {
    const records = this.#records;
    const slot = this.#slotFor(check, ipv4, found, now);
    const state = write.state;
    if (state !== undefined) records.writeState(slot, state[0], state[1], state[2]);
    if (write.blockedUntil !== undefined) records.startBlock(slot, write.blockedUntil);
    records.keepUntil(slot, now + write.ttlMs);
    return slot;
  }

  #markNoRoom(slot: number, outcome: LimitOutcome, now: number): void {
    this.#records.noRoomUntil(slot, now + Math.max(outcome.resetMs, outcome.retryAfterMs));
  }

  /** A new key, empty; at the cap an idle key is evicted first. */
  #create(name: string, key: string, ipv4: number, now: number): number {
    const atCap = this.#size >= this.#maxKeys;
    if (atCap && !this.#evictor.evictOne(now)) throw this.#full();
    const scopes = this.#scopes;
    let scope = scopes.findOrCreate(name);
    if (!atCap && scope.sweepDue()) {
      scope.sweep(SWEEP_BATCH, (slot) => this.#records.expired(slot, now));
      // The sweep may have dropped this scope's last key, and so the scope.
      if (scope.size === 0) scope = scopes.findOrCreate(name);
    }
    const slot = this.#records.create(scope.id, key, ipv4);
    scope.add(key, ipv4, slot);
    this.#evictor.add(slot);
    this.#size++;
    return slot;
  }

  /**
   * Makes room, before a check with several limits writes anything, for every key it has
   * to create, evicting none of the keys it has already found. If there is not room for
   * all, the check is refused before any limit counts it.
   */
  #makeRoomFor(keys: number, found: readonly number[], now: number): void {
    if (this.#size + keys <= this.#maxKeys) return;
    this.#evictor.spare(found);
    try {
      while (this.#size + keys > this.#maxKeys) if (!this.#evictor.evictOne(now)) throw this.#full();
    } finally {
      this.#evictor.spareNone();
    }
  }

  /** A key was removed from `scope`: free its slot; an empty scope goes too. */
  #released(scope: ScopeKeys, slot: number): void {
    this.#records.release(slot);
    this.#evictor.remove(slot);
    this.#size--;
    this.#scopes.forgetIfEmpty(scope);
  }
}
