import { type Algorithm, type StepRecord, stepInto } from './algorithms.js';
import { Slab } from './slab.js';

// Field offsets of a key's record in the slab.
const A = 0; // algorithm state, first number (NaN: no state yet, only a block)
const B = 1;
const C = 2;
const BLOCKED = 3; // blocked until (ms)
const EXPIRES = 4; // the record may be dropped after (ms)
const NO_ROOM = 5; // no room left until (ms): eviction spares the key until then
const SCOPE = 6; // the id of the key's scope; -1 for a free slot
const IPV4 = 7; // the key's IPv4 number, or -1 for a key kept by string

/**
 * The memory store's per-key records, by slot: the algorithm state, the block, the expiry
 * and the no-room time in one {@link Slab} of numbers, and the key itself (its scope's id
 * and its IPv4 number in the slab, a string key beside it), so a slot found by the
 * eviction hand can be removed from its scope. Every read and write of a record goes
 * through here: the field layout is this file's alone.
 */
export class KeyRecords {
  readonly #slab: Slab;
  /** The string of each slot whose key is kept by string (IPv4 keys need none). */
  readonly #strings: Array<string | undefined> = [];

  constructor(initialSlots: number) {
    this.#slab = new Slab(initialSlots);
  }

  /** A slot for a new key of scope `scopeId`: no state, no block, expired at once. */
  create(scopeId: number, key: string, ipv4: number): number {
    const slot = this.#slab.allocate();
    const data = this.#slab.data;
    const base = slot * Slab.FIELDS;
    data[base + A] = Number.NaN;
    data[base + B] = 0;
    data[base + C] = 0;
    data[base + BLOCKED] = 0;
    data[base + EXPIRES] = 0;
    data[base + NO_ROOM] = 0;
    data[base + SCOPE] = scopeId;
    data[base + IPV4] = ipv4;
    if (ipv4 < 0) this.#strings[slot] = key;
    return slot;
  }

  release(slot: number): void {
    const data = this.#slab.data;
    const base = slot * Slab.FIELDS;
    if ((data[base + IPV4] as number) < 0) this.#strings[slot] = undefined;
    data[base + SCOPE] = -1;
    this.#slab.release(slot);
  }

  scopeId(slot: number): number {
    return this.#slab.data[slot * Slab.FIELDS + SCOPE] as number;
  }

  ipv4(slot: number): number {
    return this.#slab.data[slot * Slab.FIELDS + IPV4] as number;
  }

  /** The key's string; '' for an IPv4 key (its scope finds it by number). */
  key(slot: number): string {
    return this.#strings[slot] ?? '';
  }

  /** Whether the key holds an algorithm state (a key can hold only a block). */
  hasState(slot: number): boolean {
    return !Number.isNaN(this.#slab.data[slot * Slab.FIELDS + A] as number);
  }

  a(slot: number): number {
    return this.#slab.data[slot * Slab.FIELDS + A] as number;
  }

  b(slot: number): number {
    return this.#slab.data[slot * Slab.FIELDS + B] as number;
  }

  c(slot: number): number {
    return this.#slab.data[slot * Slab.FIELDS + C] as number;
  }

  blockedUntil(slot: number): number {
    return this.#slab.data[slot * Slab.FIELDS + BLOCKED] as number;
  }

  /**
   * One step of `algorithm` from the key's stored state (none when `slot` is -1 or the key
   * holds only a block) into `out`. Reads the record once, and is the engine's one call
   * site of `stepInto`, so the algorithms' switch is inlined once.
   */
  step(
    slot: number,
    algorithm: Algorithm,
    now: number,
    cost: number,
    limit: number,
    windowMs: number,
    out: StepRecord,
  ): void {
    let has = false;
    let a = 0;
    let b = 0;
    let c = 0;
    if (slot >= 0) {
      const data = this.#slab.data;
      const base = slot * Slab.FIELDS;
      a = data[base + A] as number;
      has = !Number.isNaN(a);
      b = data[base + B] as number;
      c = data[base + C] as number;
    }
    stepInto(algorithm, has, a, b, c, now, cost, limit, windowMs, out);
  }

  /** Stores a step's state and keeps the record until `until` (see {@link keepUntil}). */
  saveStep(slot: number, out: StepRecord, until: number): void {
    const data = this.#slab.data;
    const base = slot * Slab.FIELDS;
    data[base + A] = out.a;
    data[base + B] = out.b;
    data[base + C] = out.c;
    if (until > (data[base + EXPIRES] as number)) data[base + EXPIRES] = until;
  }

  writeState(slot: number, a: number, b: number, c: number): void {
    const data = this.#slab.data;
    const base = slot * Slab.FIELDS;
    data[base + A] = a;
    data[base + B] = b;
    data[base + C] = c;
  }

  startBlock(slot: number, until: number): void {
    this.#slab.data[slot * Slab.FIELDS + BLOCKED] = until;
  }

  /** Keeps the record at least until `until`: an expiry only moves later. */
  keepUntil(slot: number, until: number): void {
    const index = slot * Slab.FIELDS + EXPIRES;
    const data = this.#slab.data;
    if (until > (data[index] as number)) data[index] = until;
  }

  expired(slot: number, now: number): boolean {
    return (this.#slab.data[slot * Slab.FIELDS + EXPIRES] as number) <= now;
  }

  /** Records that the key has no room left until `until` (a time that only moves later). */
  noRoomUntil(slot: number, until: number): void {
    const index = slot * Slab.FIELDS + NO_ROOM;
    const data = this.#slab.data;
    if (until > (data[index] as number)) data[index] = until;
  }

  /**
   * The time from which the key may be evicted: once expired, or once neither blocked nor
   * out of room (evicting it then resets nothing a client is waiting out).
   */
  freeAt(slot: number): number {
    const data = this.#slab.data;
    const base = slot * Slab.FIELDS;
    return Math.min(
      data[base + EXPIRES] as number,
      Math.max(data[base + BLOCKED] as number, data[base + NO_ROOM] as number),
    );
  }
}
