import type { VerifiedOutcome } from './outcome.js';

/** One verified token: its shared, frozen answer and what a hit must re-check. */
export interface CacheEntry {
  readonly outcome: VerifiedOutcome;
  readonly expMs: number;
  readonly iatMs: number;
  readonly nbfMs: number | undefined;
  readonly jti: string;
  readonly sid: string | undefined;
  /** The estimated memory of the entry, counted against `maxBytes`. */
  readonly bytes: number;
  /** Set by a hit, cleared when eviction passes over it (second chance). */
  recent: boolean;
}

/** What one entry costs beyond its token and claims: the map slot, the entry, the outcome and principal objects. */
export const ENTRY_OVERHEAD_BYTES = 400;

/**
 * The verified-token cache: bounded by entries and by bytes, keyed by the exact token
 * string.
 *
 * Why the exact string is a sound key: only a token that passed every check of the verifier
 * is ever stored, and the first of those checks is that each of its three parts is the one
 * canonical base64url encoding of its bytes (no padding, no `+` or `/`, no whitespace, zero
 * spare bits). A token has therefore exactly one string form that can be in this map: any
 * re-encoding of a cached token (padding added, spare bits flipped, a character swapped for
 * its standard-alphabet twin) is another string, misses, is verified in full and refused
 * for its encoding. A weaker key (a prefix, the payload alone) could let a forged token hit
 * an entry; a hash of the token would be as sound but costs a digest per request, which
 * the exact string does not: a hit is one map lookup (the engine's own string hash, no
 * cryptographic hashing of the token), with nothing decoded.
 *
 * Eviction is second chance over insertion order: a hit only sets a flag (no reordering);
 * eviction drops the oldest entry not hit since eviction last passed it, and drops expired
 * entries on the way. A failure is never stored: the verifier stores an entry only for a
 * complete success.
 */
export class VerifiedTokenCache {
  readonly #entries = new Map<string, CacheEntry>();
  readonly #maxEntries: number;
  readonly #maxBytes: number;
  #bytes = 0;

  constructor(maxEntries: number, maxBytes: number) {
    this.#maxEntries = maxEntries;
    this.#maxBytes = maxBytes;
  }

  get size(): number {
    return this.#entries.size;
  }

  get bytes(): number {
    return this.#bytes;
  }

  get(token: string): CacheEntry | undefined {
    const entry = this.#entries.get(token);
    if (entry !== undefined) entry.recent = true;
    return entry;
  }

  delete(token: string): void {
    const entry = this.#entries.get(token);
    if (entry === undefined) return;
    this.#entries.delete(token);
    this.#bytes -= entry.bytes;
  }

  /** Stores an entry, evicting as needed; an entry larger than the whole budget is not stored. */
  set(token: string, entry: CacheEntry, now: number): void {
    if (entry.bytes > this.#maxBytes) return;
    this.delete(token);
    this.#evict(entry.bytes, now);
    this.#entries.set(token, entry);
    this.#bytes += entry.bytes;
  }

  /** Makes room for one entry of `incoming` bytes. */
  #evict(incoming: number, now: number): void {
    // Each step drops an entry or clears a flag, so this ends within two passes.
    while (this.#entries.size >= this.#maxEntries || this.#bytes + incoming > this.#maxBytes) {
      const oldest = this.#entries.entries().next();
      if (oldest.done === true) return;
      const [token, entry] = oldest.value;
      this.#entries.delete(token);
      if (entry.recent && entry.expMs > now) {
        entry.recent = false;
        this.#entries.set(token, entry);
      } else {
        this.#bytes -= entry.bytes;
      }
    }
  }
}
