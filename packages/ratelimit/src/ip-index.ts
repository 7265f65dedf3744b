const EMPTY = -1;
const DELETED = -2;
const MIN_CAPACITY = 64;

/**
 * A hash index from IPv4 addresses (as 32-bit numbers) to slab slots: open addressing with
 * linear probing in one typed array of (address, slot) pairs, so a probe reads one cache
 * line. The memory store keeps the keys that are canonical
 * IPv4 addresses (the default `ip` key, and the commonest) here instead of in a `Map` of
 * strings:
 *
 * - A new key is one probe into a flat array: no `Map` entry, and no key string kept alive.
 *   In a store of a million keys a `Map` insert is a walk over entries and strings spread
 *   over the heap (about 0.5 us on the benchmark machine); this is one cache line or two.
 * - The number arrives with the check (`LimitCheck.ipv4`, from the pass that already checks
 *   the address is canonical), so a lookup hashes no string.
 *
 * The hash mixes the address with a seed drawn per index (murmur3's finaliser), so a client
 * that picks its addresses cannot aim them at one probe run. Removal leaves a tombstone;
 * the table is rebuilt when tombstones and keys fill half of it, and shrinks when few keys
 * remain, so memory follows the number of keys.
 */
export class IpIndex {
  /**
   * Position `p` is the pair at `2p` (the address, as an int32) and `2p + 1` (its slab
   * slot, or `EMPTY` or `DELETED`).
   */
  #table: Int32Array;
  #mask: number;
  #size = 0;
  #deleted = 0;
  readonly #seed = (Math.random() * 0x100000000) | 0;

  constructor(capacity = MIN_CAPACITY) {
    this.#table = IpIndex.#emptyTable(capacity);
    this.#mask = capacity - 1;
  }

  static #emptyTable(capacity: number): Int32Array {
    const table = new Int32Array(capacity * 2);
    for (let i = 1; i < table.length; i += 2) table[i] = EMPTY;
    return table;
  }

  get size(): number {
    return this.#size;
  }

  /** Positions in the table, for a caller that walks it with {@link slotAt}. */
  get capacity(): number {
    return this.#mask + 1;
  }

  #home(value: number): number {
    let h = (value | 0) ^ this.#seed;
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    return (h ^ (h >>> 16)) & this.#mask;
  }

  /** The position holding `value`, or -1. */
  #positionOf(value: number): number {
    const table = this.#table;
    const mask = this.#mask;
    const wanted = value | 0;
    for (let i = this.#home(value); ; i = (i + 1) & mask) {
      const slot = table[2 * i + 1] as number;
      if (slot === EMPTY) return -1;
      if (slot !== DELETED && table[2 * i] === wanted) return i;
    }
  }

  /** The slot of `value`, or -1. */
  get(value: number): number {
    const position = this.#positionOf(value);
    return position < 0 ? -1 : (this.#table[2 * position + 1] as number);
  }

  /** Adds `value`, which the caller has just looked up and not found. */
  insert(value: number, slot: number): void {
    if ((this.#size + this.#deleted + 1) * 2 > this.#mask + 1) this.#rebuild(this.#size + 1);
    const table = this.#table;
    const mask = this.#mask;
    let i = this.#home(value);
    // The first free position on the probe run: a tombstone is as good as an empty one.
    while ((table[2 * i + 1] as number) >= 0) i = (i + 1) & mask;
    if (table[2 * i + 1] === DELETED) this.#deleted--;
    table[2 * i] = value | 0;
    table[2 * i + 1] = slot;
    this.#size++;
  }

  /** Removes `value`; answers whether it was there. */
  remove(value: number): boolean {
    const position = this.#positionOf(value);
    if (position >= 0) this.#removeAt(position);
    return position >= 0;
  }

  /** The slot at table position `position` (-1 or -2 when it holds no key). */
  slotAt(position: number): number {
    return this.#table[2 * position + 1] as number;
  }

  /** The address at table position `position`, as an unsigned 32-bit number. */
  valueAt(position: number): number {
    return (this.#table[2 * position] as number) >>> 0;
  }

  /**
   * Removes the key at `position`. Positions do not move, so a caller walking the table can
   * remove as it goes; the table is compacted later, by {@link compact}.
   */
  #removeAt(position: number): void {
    this.#table[2 * position + 1] = DELETED;
    this.#size--;
    this.#deleted++;
  }

  removeAt(position: number): void {
    if ((this.#table[2 * position + 1] as number) >= 0) this.#removeAt(position);
  }

  /**
   * Shrinks the table when few keys are left in it. Separate from removal so that a walk
   * over positions stays valid until it ends.
   */
  compact(): void {
    const capacity = this.#mask + 1;
    if (capacity > MIN_CAPACITY && this.#size * 8 < capacity) this.#rebuild(this.#size);
  }

  /** Re-inserts every key into the smallest table that `keys` fill less than half. */
  #rebuild(keys: number): void {
    let capacity = MIN_CAPACITY;
    while (capacity <= keys * 2) capacity *= 2;
    const old = this.#table;
    this.#table = IpIndex.#emptyTable(capacity);
    this.#mask = capacity - 1;
    this.#size = 0;
    this.#deleted = 0;
    for (let i = 0; i < old.length; i += 2) {
      const slot = old[i + 1] as number;
      if (slot >= 0) this.insert(old[i] as number, slot);
    }
  }
}
