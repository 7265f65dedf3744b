import { BulwarkError, type Clock, ConfigError, canonicalIpv4Value, checkOptions } from '@bulwark/core';
import { type Algorithm, refundState, stepInto, stepRecord } from './algorithms.js';
import { decide, type KeyRecord, type KeyWrite } from './evaluate.js';
import { EvictionOrder } from './eviction-order.js';
import type { ConsumeResult, LimitCheck, LimitOutcome, RateLimitStore, StoreKey } from './port.js';
import { ScopeKeys } from './scope-keys.js';
import { Slab } from './slab.js';

// Field offsets of a key's record in the slab.
const A = 0; // algorithm state, first number (NaN: no state yet, only a block)
const B = 1;
const C = 2;
const BLOCKED = 3; // blocked until (ms)
const EXPIRES = 4; // the record may be dropped after (ms)
const FULL = 5; // no room left until (ms): eviction spares the key until then
const OWNER = 6; // the id of the key's scope; -1 for a free slot
const VALUE = 7; // the key's IPv4 number, or -1 for a key kept by string

export interface MemoryStoreOptions {
  /** Most keys kept, across all scopes. Default 100,000 (about 9 MB at the measured 92 bytes a key). */
  readonly maxKeys?: number | undefined;
  readonly clock?: Clock | undefined;
}

/**
 * Thrown when the store is full of keys that are all currently limited. A `BulwarkError`
 * with code `store_full`: the policy's failure mode answers it; reaching an adapter's error
 * handling, it is a 503 `store_unavailable`.
 */
export class StoreFullError extends BulwarkError {
  constructor() {
    super('store_full', 'memory rate-limit store is full of active limits');
    this.name = 'StoreFullError';
  }
}

/** The memory store answers synchronously. */
export interface MemoryRateLimitStore extends RateLimitStore {
  readonly size: number;
  consume(algorithm: Algorithm, checks: readonly LimitCheck[], cost: number, now?: number): ConsumeResult;
  peek(algorithm: Algorithm, checks: readonly LimitCheck[], cost: number, now?: number): ConsumeResult;
  refund(algorithm: Algorithm, checks: readonly LimitCheck[], cost: number, now?: number): void;
  reset(keys: readonly StoreKey[]): void;
}

const SWEEP_BATCH = 32;

/** The number a key is indexed by: its IPv4 address, or -1 for a key kept by string. */
const ipv4Of = (check: StoreKey): number => check.ipv4 ?? canonicalIpv4Value(check.key);

/**
 * The in-memory store: the default and the reference implementation of the port. No timer
 * per key: expired keys are dropped when read, and a small sweep runs every 1,024 inserts.
 * Keys live in one index per scope (a policy's limit), so a request's client key is looked
 * up as it is: no `<policy>:<limit>:<ip>` string is built, flattened and hashed per
 * request. A canonical IPv4 key is indexed by its number (`LimitCheck.ipv4`) in a flat
 * table, any other key by string in a `Map`. Memory is bounded by `maxKeys` across all
 * scopes (state lives in one typed array). At the cap the store evicts a key that is *not
 * currently limited*, of any scope, found by a clock hand that resumes where the last
 * eviction stopped; a key the hand finds limited is parked until its limit can end, so the
 * hand never passes over the same limited key twice for one limit (see `EvictionOrder`).
 * A key that is blocked or has no room left is never evicted (that would silently reset an
 * active limit); only when every key is limited does `consume` throw `StoreFullError` (the
 * policy's failure mode decides), at no scan.
 *
 * @example
 * ```ts
 * const store = memoryStore({ maxKeys: 50_000 });
 * const limiter = rateLimitPolicy({ store, limits: [{ name: 'anon', key: 'ip', limit: 100, window: '1m' }] });
 * ```
 */
export function memoryStore(options: MemoryStoreOptions = {}): MemoryRateLimitStore {
  checkOptions(options, ['maxKeys', 'clock']);
  const maxKeys = options.maxKeys ?? 100_000;
  if (!Number.isSafeInteger(maxKeys) || maxKeys < 1) throw new ConfigError('maxKeys', 'expected a positive integer');
  const clock = options.clock;
  // Without a clock option, Date.now() is called inline rather than through a clock
  // object: that is about 20 ns of a ~130 ns check.
  const timeNow = (): number => (clock === undefined ? Date.now() : clock.now());
  const scopes = new Map<string, ScopeKeys>();
  // A key's slot records its scope by id (a number in the slab, not a reference per key),
  // and a string key its string, so the eviction hand can remove a key from its slot.
  const scopesById: Array<ScopeKeys | undefined> = [];
  const freeScopeIds: number[] = [];
  const stringKeys: Array<string | undefined> = [];
  const slab = new Slab(Math.min(maxKeys, 1024));
  // Keys across all scopes: the bound.
  let size = 0;
  /**
   * The time from which a key may be evicted: once expired, or once neither blocked nor
   * out of room (evicting it then resets nothing a client is waiting out).
   */
  const freeAt = (slot: number): number => {
    const base = slot * Slab.FIELDS;
    const data = slab.data;
    return Math.min(
      data[base + EXPIRES] as number,
      Math.max(data[base + BLOCKED] as number, data[base + FULL] as number),
    );
  };
  const order = new EvictionOrder(freeAt);
  // Slots a check with several limits has looked up and is about to write: never evicted
  // to make room for the same check's other keys.
  const pinned: number[] = [];
  // The scope of the last lookup: a policy passes the same scope string on every request,
  // so this is a pointer compare instead of a second hash-map probe per check.
  let lastName: string | undefined;
  let lastScope: ScopeKeys | undefined;
  const scopeNamed = (name: string): ScopeKeys | undefined => {
    if (name !== lastName) {
      lastScope = scopes.get(name);
      lastName = name;
    }
    return lastScope;
  };

  /** Frees a removed key's slot; an empty scope goes too, so memory stays bounded whatever scopes a caller invents. */
  const released = (scope: ScopeKeys, slot: number) => {
    const base = slot * Slab.FIELDS;
    const data = slab.data;
    if ((data[base + VALUE] as number) < 0) stringKeys[slot] = undefined;
    data[base + OWNER] = -1;
    order.remove(slot);
    slab.release(slot);
    size--;
    if (scope.size === 0 && scopes.get(scope.name) === scope) {
      scopes.delete(scope.name);
      scopesById[scope.id] = undefined;
      freeScopeIds.push(scope.id);
      lastName = undefined;
    }
  };
  const expired = (slot: number, now: number) => (slab.data[slot * Slab.FIELDS + EXPIRES] as number) <= now;
  /** The live slot of a key, or -1 (an expired record is dropped on the way). */
  const find = (scope: ScopeKeys | undefined, key: string, value: number, now: number): number => {
    if (scope === undefined) return -1;
    const slot = scope.get(key, value);
    if (slot < 0) return -1;
    if (expired(slot, now)) {
      scope.delete(key, value, slot);
      return -1;
    }
    return slot;
  };
  const scopeFor = (name: string): ScopeKeys => {
    let scope = scopes.get(name);
    if (scope === undefined) {
      const id = freeScopeIds.pop() ?? scopesById.length;
      const created: ScopeKeys = new ScopeKeys(name, id, (slot) => released(created, slot));
      scope = created;
      scopes.set(name, scope);
      scopesById[id] = scope;
      lastName = undefined;
    }
    return scope;
  };
  /**
   * Evicts one key that is not limited right now, or throws `StoreFullError` when every
   * key is. Each step of the hand evicts a key or parks a limited one; a key pinned by the
   * check in progress is passed over (no reason to refuse: it is simply not a candidate).
   */
  const makeRoom = (now: number) => {
    order.unpark(now);
    let passed = 0;
    while (order.candidates > passed) {
      const slot = order.advance();
      const free = freeAt(slot);
      if (free > now) order.park(slot, free);
      else if (pinned.length > 0 && pinned.includes(slot)) passed++;
      else {
        const value = slab.data[slot * Slab.FIELDS + VALUE] as number;
        const owner = scopesById[slab.data[slot * Slab.FIELDS + OWNER] as number] as ScopeKeys;
        owner.delete(value < 0 ? (stringKeys[slot] as string) : '', value, slot);
        return;
      }
    }
    throw new StoreFullError();
  };
  const create = (name: string, key: string, value: number, now: number): number => {
    const atCap = size >= maxKeys;
    if (atCap) makeRoom(now);
    let scope = scopeNamed(name) ?? scopeFor(name);
    if (!atCap && scope.sweepDue()) {
      scope.sweep(SWEEP_BATCH, (slot) => expired(slot, now));
      // The sweep may have dropped this scope's last key, and so the scope.
      if (scope.size === 0) scope = scopeFor(name);
    }
    const slot = slab.allocate();
    const base = slot * Slab.FIELDS;
    const data = slab.data;
    data[base + A] = Number.NaN;
    data[base + B] = 0;
    data[base + C] = 0;
    data[base + BLOCKED] = 0;
    data[base + EXPIRES] = 0;
    data[base + FULL] = 0;
    data[base + OWNER] = scope.id;
    data[base + VALUE] = value;
    if (value < 0) stringKeys[slot] = key;
    scope.add(key, value, slot);
    order.add(slot);
    size++;
    return slot;
  };
  /**
   * Makes room, before a check with several limits writes anything, for every key it has
   * to create, evicting none of the keys it has already found: creating one limit's key
   * must not evict another's (the freed slot would go to the new key, and both limits would
   * write into it). If there is not room for all, the check is refused before any limit
   * counts it.
   */
  const makeRoomFor = (keys: number, found: readonly number[], now: number) => {
    if (size + keys <= maxKeys) return;
    for (const slot of found) if (slot >= 0) pinned.push(slot);
    try {
      while (size + keys > maxKeys) makeRoom(now);
    } finally {
      pinned.length = 0;
    }
  };
  const recordOf = (slot: number): KeyRecord => {
    if (slot < 0) return { state: undefined, blockedUntil: 0 };
    const data = slab.data;
    const base = slot * Slab.FIELDS;
    const a = data[base + A] as number;
    return {
      state: Number.isNaN(a) ? undefined : [a, data[base + B] as number, data[base + C] as number],
      blockedUntil: data[base + BLOCKED] as number,
    };
  };
  /**
   * Writes one key's record (creating it if needed): the one place records are written.
   * `withState` false leaves the algorithm state alone; `blockedUntil` < 0 leaves the block.
   */
  const write = (
    check: StoreKey,
    value: number,
    found: number,
    now: number,
    ttlMs: number,
    withState: boolean,
    a: number,
    b: number,
    c: number,
    blockedUntil: number,
  ): number => {
    const slot = found >= 0 ? found : create(check.scope, check.key, value, now);
    const data = slab.data;
    const base = slot * Slab.FIELDS;
    if (withState) {
      data[base + A] = a;
      data[base + B] = b;
      data[base + C] = c;
    }
    if (blockedUntil >= 0) data[base + BLOCKED] = blockedUntil;
    const expires = now + ttlMs;
    if (expires > (data[base + EXPIRES] as number)) data[base + EXPIRES] = expires;
    return slot;
  };
  const apply = (check: StoreKey, value: number, found: number, change: KeyWrite, now: number): number => {
    const state = change.state;
    return state === undefined
      ? write(check, value, found, now, change.ttlMs, false, 0, 0, 0, change.blockedUntil ?? -1)
      : write(check, value, found, now, change.ttlMs, true, state[0], state[1], state[2], change.blockedUntil ?? -1);
  };

  const markFull = (slot: number, outcome: LimitOutcome, now: number) => {
    if (outcome.allowed && outcome.remaining > 0) return;
    const base = slot * Slab.FIELDS;
    const until = now + Math.max(outcome.resetMs, outcome.retryAfterMs);
    if (until > (slab.data[base + FULL] as number)) slab.data[base + FULL] = until;
  };

  /**
   * The single-limit fast path (most requests): the same rules as `decide`, without its
   * arrays. Both paths run the same conformance and memory-vs-Lua tests.
   */
  // The single-limit path's step record, reused: a check allocates only its answer.
  const out = stepRecord();
  const runOne = (
    algorithm: Algorithm,
    check: LimitCheck,
    cost: number,
    now: number,
    commit: boolean,
  ): ConsumeResult => {
    const value = ipv4Of(check);
    let slot = find(scopeNamed(check.scope), check.key, value, now);
    let has = false;
    let a = 0;
    let b = 0;
    let c = 0;
    let blockedUntil = 0;
    if (slot >= 0) {
      const data = slab.data;
      const base = slot * Slab.FIELDS;
      a = data[base + A] as number;
      has = !Number.isNaN(a);
      b = data[base + B] as number;
      c = data[base + C] as number;
      blockedUntil = data[base + BLOCKED] as number;
    }
    stepInto(algorithm, has, a, b, c, now, cost, check.limit, check.windowMs, out);
    let outcome: LimitOutcome;
    if (blockedUntil > now) {
      const wait = blockedUntil - now;
      outcome = { allowed: false, remaining: 0, resetMs: Math.max(out.resetMs, wait), retryAfterMs: wait };
    } else if (commit && !out.allowed && check.blockMs > 0) {
      const ttlMs = Math.max(check.blockMs, out.ttlMs);
      slot = write(check, value, slot, now, ttlMs, false, 0, 0, 0, now + check.blockMs);
      outcome = { allowed: false, remaining: 0, resetMs: check.blockMs, retryAfterMs: check.blockMs };
    } else {
      if (commit && out.allowed) slot = write(check, value, slot, now, out.ttlMs, true, out.a, out.b, out.c, -1);
      outcome = {
        allowed: out.allowed,
        remaining: out.remaining,
        resetMs: out.resetMs,
        retryAfterMs: out.retryAfterMs,
      };
    }
    // Most checks leave room: no call then.
    if (commit && slot >= 0 && !(outcome.allowed && outcome.remaining > 0)) markFull(slot, outcome, now);
    return { allowed: outcome.allowed, now, outcomes: [outcome] };
  };

  const run = (
    algorithm: Algorithm,
    checks: readonly LimitCheck[],
    cost: number,
    now: number,
    commit: boolean,
  ): ConsumeResult => {
    const n = checks.length;
    if (n === 1) return runOne(algorithm, checks[0] as LimitCheck, cost, now, commit);
    const found: number[] = new Array(n);
    const values: number[] = new Array(n);
    const records: KeyRecord[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const check = checks[i] as LimitCheck;
      const value = ipv4Of(check);
      const slot = find(scopeNamed(check.scope), check.key, value, now);
      values[i] = value;
      found[i] = slot;
      records[i] = recordOf(slot);
    }
    const { result, writes } = decide(algorithm, checks, records, cost, now, commit);
    if (!commit) return result;
    let created = 0;
    for (let i = 0; i < n; i++) if (writes[i] !== undefined && (found[i] as number) < 0) created++;
    if (created > 0) makeRoomFor(created, found, now);
    for (let i = 0; i < n; i++) {
      const write = writes[i];
      let slot = found[i] as number;
      if (write !== undefined) slot = apply(checks[i] as LimitCheck, values[i] as number, slot, write, now);
      const outcome = result.outcomes[i];
      if (slot >= 0 && outcome !== undefined) markFull(slot, outcome, now);
    }
    return result;
  };

  return {
    name: 'memory',
    get size() {
      return size;
    },
    consume: (algorithm, checks, cost, now) => run(algorithm, checks, cost, now ?? timeNow(), true),
    peek: (algorithm, checks, cost, now) => run(algorithm, checks, cost, now ?? timeNow(), false),
    refund(algorithm, checks, cost, now = timeNow()) {
      for (const check of checks) {
        const slot = find(scopeNamed(check.scope), check.key, ipv4Of(check), now);
        if (slot < 0) continue;
        const data = slab.data;
        const base = slot * Slab.FIELDS;
        if (Number.isNaN(data[base + A] as number)) continue;
        const next = refundState(
          algorithm,
          [data[base + A] as number, data[base + B] as number, data[base + C] as number],
          now,
          cost,
          check.limit,
          check.windowMs,
        );
        data[base + A] = next[0];
        data[base + B] = next[1];
        data[base + C] = next[2];
      }
    },
    reset(keys) {
      for (const storeKey of keys) {
        const scope = scopes.get(storeKey.scope);
        if (scope === undefined) continue;
        const value = ipv4Of(storeKey);
        const slot = scope.get(storeKey.key, value);
        if (slot >= 0) scope.delete(storeKey.key, value, slot);
      }
    },
  };
}
