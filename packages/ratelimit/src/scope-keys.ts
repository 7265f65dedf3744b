import { IpIndex } from './ip-index.js';

/**
 * One scope's keys (a policy's limit) and the slab slot of each: canonical IPv4 addresses
 * by number in an {@link IpIndex}, other keys by string in a `Map` (insertion order), and
 * where the sweep of each stands. A key's `value` is its IPv4 number, or -1 for a key kept
 * by string. Removals report the freed slot through `released`, so the store can reclaim
 * its state and count. Eviction is the store's (it walks slots, across scopes); `id` is
 * what a slot records to name its scope.
 */
export class ScopeKeys {
  readonly #strings = new Map<string, number>();
  #sweeper: Iterator<[string, number]> = this.#strings.entries();
  readonly #ips = new IpIndex();
  /** The next position of the IPv4 table to sweep. */
  #ipCursor = 0;
  #created = 0;
  readonly #released: (slot: number) => void;

  constructor(
    readonly name: string,
    readonly id: number,
    released: (slot: number) => void,
  ) {
    this.#released = released;
  }

  get size(): number {
    return this.#strings.size + this.#ips.size;
  }

  /** The slot of a key, or -1. */
  get(key: string, value: number): number {
    if (value >= 0) return this.#ips.get(value);
    // A key built per request (an IPv6 group, a function key's template string) can be a
    // rope in V8 (a cons string), and a Map compares ropes through the runtime: on this
    // lookup, and on every later lookup against the rope it keeps as the key. Reading one
    // character flattens the string in place, once; the string is unchanged for JavaScript.
    key.charCodeAt(0);
    return this.#strings.get(key) ?? -1;
  }

  /** Adds a key that `get` has just not found. */
  add(key: string, value: number, slot: number): void {
    if (value >= 0) this.#ips.insert(value, slot);
    else this.#strings.set(key, slot);
  }

  /** Every 1,024th key created in this scope: time for a sweep. */
  sweepDue(): boolean {
    return (this.#created++ & 1023) === 0;
  }

  /** Removes a key found at `slot`. */
  delete(key: string, value: number, slot: number): void {
    if (value >= 0) {
      this.#ips.remove(value);
      this.#ips.compact();
    } else this.#strings.delete(key);
    this.#released(slot);
  }

  /** Removes the expired keys among the next `batch` string keys and `2 * batch` table positions. */
  sweep(batch: number, expired: (slot: number) => boolean): void {
    for (let i = 0; i < batch; i++) {
      let next = this.#sweeper.next();
      if (next.done) {
        this.#sweeper = this.#strings.entries();
        next = this.#sweeper.next();
        if (next.done) break;
      }
      const [key, slot] = next.value;
      if (expired(slot)) this.delete(key, -1, slot);
    }
    if (this.#ips.size > 0) this.#walkIps(batch * 2, expired);
  }

  /**
   * Walks up to `positions` positions of the IPv4 table from the cursor, removing the keys
   * `remove` picks; then compacts the table. Positions do not move during the walk:
   * removal leaves a tombstone.
   */
  #walkIps(positions: number, remove: (slot: number) => boolean): void {
    const ips = this.#ips;
    const steps = Math.min(positions, ips.capacity);
    for (let i = 0; i < steps; i++) {
      const position = this.#ipCursor & (ips.capacity - 1);
      this.#ipCursor = position + 1;
      const slot = ips.slotAt(position);
      if (slot < 0) continue;
      if (remove(slot)) {
        ips.removeAt(position);
        this.#released(slot);
      }
    }
    ips.compact();
  }
}
