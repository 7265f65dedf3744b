import { TimeHeap } from './time-heap.js';

const FREE = -3;
const PARKED = -2;

/**
 * The order in which the memory store considers keys for eviction, by slot: a clock over
 * the *candidates* (a circular doubly linked list in two `Int32Array`s, with a hand that
 * resumes where the last eviction stopped; a new key goes just behind the hand, so it is
 * considered last), and the *parked* keys, the ones found limited, in a heap by the time
 * their limit can end at the earliest.
 *
 * Why parked keys leave the clock: a limited key cannot be evicted, and passing over the
 * same limited keys again on every eviction is what made a store nearly full of limited
 * keys cost a full scan per new client. A key is parked when the hand finds it limited and
 * comes back only once that time has passed; the store then looks at it again (its limit
 * may have been extended meanwhile: it is parked anew). So each key costs the hand one step
 * per limit it serves, not one per eviction, and a store in which every key is limited
 * refuses a new one without a scan.
 *
 * The times of limits only move later (a block, the end of a window with no room, an
 * expiry), so a parked key's heap time is never later than the time it can be evicted.
 */
export class EvictionOrder {
  #next = new Int32Array(1024);
  #prev = new Int32Array(1024).fill(FREE);
  #hand = -1;
  #candidates = 0;
  #parked = 0;
  readonly #heap = new TimeHeap();
  readonly #freeAt: (slot: number) => number;

  /** `freeAt(slot)`: the time from which the key at `slot` may be evicted. */
  constructor(freeAt: (slot: number) => number) {
    this.#freeAt = freeAt;
  }

  /** Keys the hand can reach. */
  get candidates(): number {
    return this.#candidates;
  }

  /** Entries in the heap of parked keys (live and stale): bounded by the parked keys. */
  get queued(): number {
    return this.#heap.size;
  }

  /** Adds a new key, behind the hand. */
  add(slot: number): void {
    if (slot >= this.#prev.length) this.#grow(slot);
    this.#link(slot);
  }

  /** Forgets a removed key (its heap entry, if parked, is dropped when it comes up). */
  remove(slot: number): void {
    const prev = this.#prev[slot] as number;
    if (prev === PARKED) this.#parked--;
    else if (prev !== FREE) this.#unlink(slot);
    this.#prev[slot] = FREE;
  }

  /** The candidate under the hand, moving the hand on; only when `candidates > 0`. */
  advance(): number {
    const slot = this.#hand;
    this.#hand = this.#next[slot] as number;
    return slot;
  }

  /** Takes a candidate out of the clock until `until`, when its limit can end at the earliest. */
  park(slot: number, until: number): void {
    this.#unlink(slot);
    this.#prev[slot] = PARKED;
    this.#parked++;
    this.#heap.push(until, slot);
    // Entries of parked keys removed since are dropped only when they come up: rebuild the
    // heap when they could outnumber the live ones, so it stays bounded by the keys.
    if (this.#heap.size > 2 * this.#parked + 1024) this.#rebuild();
  }

  /** Puts back behind the hand every parked key whose limit has ended by `now`. */
  unpark(now: number): void {
    const heap = this.#heap;
    while (heap.size > 0 && heap.topTime <= now) {
      const slot = heap.pop();
      // A removed key, or a duplicate entry of one already put back.
      if (this.#prev[slot] !== PARKED) continue;
      const free = this.#freeAt(slot);
      if (free > now) heap.push(free, slot);
      else {
        this.#parked--;
        this.#link(slot);
      }
    }
  }

  #link(slot: number): void {
    const next = this.#next;
    const prev = this.#prev;
    const hand = this.#hand;
    if (hand < 0) {
      next[slot] = slot;
      prev[slot] = slot;
      this.#hand = slot;
    } else {
      const last = prev[hand] as number;
      next[last] = slot;
      prev[slot] = last;
      next[slot] = hand;
      prev[hand] = slot;
    }
    this.#candidates++;
  }

  #unlink(slot: number): void {
    if (--this.#candidates === 0) this.#hand = -1;
    else {
      const next = this.#next;
      const prev = this.#prev;
      const before = prev[slot] as number;
      const after = next[slot] as number;
      next[before] = after;
      prev[after] = before;
      if (this.#hand === slot) this.#hand = after;
    }
  }

  #grow(slot: number): void {
    let length = this.#prev.length * 2;
    while (length <= slot) length *= 2;
    const next = new Int32Array(length);
    next.set(this.#next);
    this.#next = next;
    const prev = new Int32Array(length).fill(FREE);
    prev.set(this.#prev);
    this.#prev = prev;
  }

  #rebuild(): void {
    const heap = this.#heap;
    heap.clear();
    const prev = this.#prev;
    for (let slot = 0; slot < prev.length; slot++) if (prev[slot] === PARKED) heap.push(this.#freeAt(slot), slot);
  }
}
