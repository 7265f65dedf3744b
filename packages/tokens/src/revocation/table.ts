/** What {@link RevocationTable.add} did. */
export type RevocationAddResult =
  /** A new entry (or one that had expired) now holds. */
  | 'added'
  /** The entry already held; it now holds until the later time. */
  | 'extended'
  /** The entry already held at least as long: nothing changed. */
  | 'unchanged'
  /** `until` is not after `now`: the tokens it names are expired, there is nothing to keep. */
  | 'expired'
  /** The table is full of entries that all still hold: refused, nothing was dropped. */
  | 'full';

/** Inserts between two opportunistic sweeps, so expired entries are reclaimed before the table fills. */
const SWEEP_EVERY = 1024;

/**
 * The bounded map of revocations behind `memoryRevocationStore` and behind the local view
 * of stores that keep one (the Redis store). Synchronous, no timer: an entry holds while
 * `now < until`; expired entries are dropped by sweeps (every 1,024 inserts, and whenever
 * an insert finds the table full), never by reads, so a reader with a skewed `now` cannot
 * drop an entry another reader still needs. At `maxEntries` live entries an insert is
 * refused (`'full'`) rather than making room by forgetting a revocation that still holds:
 * the caller decides (the memory store throws, the Redis store stops trusting its view).
 *
 * A sweep walks the table, but only when something can have expired: the table keeps a
 * lower bound of its earliest `until`, so a full table of live entries refuses in O(1).
 */
export class RevocationTable {
  readonly maxEntries: number;
  readonly #jti = new Map<string, number>();
  readonly #sid = new Map<string, number>();
  /** No entry expires before this (a lower bound: extensions may leave it low). */
  #earliest = Number.POSITIVE_INFINITY;
  #insertsSinceSweep = 0;

  constructor(maxEntries: number) {
    this.maxEntries = maxEntries;
  }

  get size(): number {
    return this.#jti.size + this.#sid.size;
  }

  /** Records that `kind` `id` is revoked until `until`, at `now` (the owner's clock). */
  add(kind: 'jti' | 'sid', id: string, until: number, now: number): RevocationAddResult {
    if (until <= now) return 'expired';
    const map = kind === 'jti' ? this.#jti : this.#sid;
    const held = map.get(id);
    if (held !== undefined) {
      if (held > now && held >= until) return 'unchanged';
      map.set(id, until);
      if (until < this.#earliest) this.#earliest = until;
      return held > now ? 'extended' : 'added';
    }
    if (++this.#insertsSinceSweep >= SWEEP_EVERY || this.size >= this.maxEntries) this.sweep(now);
    if (this.size >= this.maxEntries) return 'full';
    map.set(id, until);
    if (until < this.#earliest) this.#earliest = until;
    return 'added';
  }

  /** Whether the token (`jti`, session `sid`) is revoked at `now`. */
  isRevoked(jti: string, sid: string | undefined, now: number): boolean {
    const byJti = this.#jti.get(jti);
    if (byJti !== undefined && byJti > now) return true;
    if (sid === undefined) return false;
    const bySid = this.#sid.get(sid);
    return bySid !== undefined && bySid > now;
  }

  /** Drops every entry expired at `now`. */
  sweep(now: number): void {
    this.#insertsSinceSweep = 0;
    if (now < this.#earliest) return;
    let earliest = Number.POSITIVE_INFINITY;
    for (const map of [this.#jti, this.#sid]) {
      for (const [id, until] of map) {
        if (until <= now) map.delete(id);
        else if (until < earliest) earliest = until;
      }
    }
    this.#earliest = earliest;
  }
}
