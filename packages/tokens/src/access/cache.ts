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

/** A cached token: the exact string that was verified, and its entry. */
interface Slot {
  readonly token: string;
  readonly entry: CacheEntry;
}

/** How many characters at the end of a token make its slot index (see `slotIndex`). */
const INDEX_CHARS = 8;

/**
 * Where a token's slot is indexed: a 30-bit integer (FNV-1a) of its last eight characters,
 * the end of the signature part, which differs between any two tokens (at least 44 bits of
 * it: base64url carries 6 bits a character, less a few spare bits in the last one).
 *
 * Why an integer and not the signature string, as before: a `Map` lookup by a fresh string
 * (every request's `Authorization` value is a new one) hashes it in C++
 * (`ComputeAndSetRawHash` in perf, with finding the signature's two dots about 100 ns a
 * lookup, measured), a small integer in a few instructions (about 15 ns). Soundness does
 * not rest on the index: a slot answers only a token equal to its whole stored string.
 * Two cached tokens with one index (about 0.05 expected among 10,000 entries) cost only
 * speed: the later replaces the earlier, which is verified again when it next comes.
 */
function slotIndex(token: string): number {
  let hash = 0x811c9dc5;
  for (let i = Math.max(0, token.length - INDEX_CHARS); i < token.length; i++) {
    hash = Math.imul(hash ^ token.charCodeAt(i), 0x01000193);
  }
  // 30 bits: a small integer (a Smi) on every V8, which a Map hashes without a call.
  return hash >>> 2;
}

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
 * The map is indexed by an integer of the token's last characters (cheap to look up: see
 * `slotIndex`), and a slot answers only a token equal to the whole string stored in it: a
 * token that shares a cached token's signature but differs anywhere else (a forged payload
 * under a copied signature, a re-encoded header) finds the slot, is not equal, and misses.
 * A failed verification stores nothing, so such a token never displaces the slot either.
 *
 * Eviction is second chance over insertion order: a hit only sets a flag (no reordering);
 * eviction drops the oldest entry not hit since eviction last passed it, and drops expired
 * entries on the way. A failure is never stored: the verifier stores an entry only for a
 * complete success.
 */
export class VerifiedTokenCache {
  readonly #slots = new Map<number, Slot>();
  /** What the last `has` found (the string it was asked with and its slot), until used or the cache changes. */
  #probedToken: string | undefined = undefined;
  #probedSlot: Slot | undefined = undefined;
  readonly #maxEntries: number;
  readonly #maxBytes: number;
  #bytes = 0;

  constructor(maxEntries: number, maxBytes: number) {
    this.#maxEntries = maxEntries;
    this.#maxBytes = maxBytes;
  }

  get size(): number {
    return this.#slots.size;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** The entry of exactly this token string, or `undefined`; marks it recently used. */
  get(token: string): CacheEntry | undefined {
    let slot: Slot | undefined;
    if (this.#probedToken !== undefined) {
      // `has` found this very string a moment ago (the policy asks, then verifies): its slot,
      // without a second comparison of the whole token (the same object: `===` is then one
      // pointer comparison). One use only.
      if (this.#probedToken === token) slot = this.#probedSlot;
      this.#forgetProbe();
    }
    if (slot === undefined) {
      slot = this.#slots.get(slotIndex(token));
      if (slot === undefined || slot.token !== token) return undefined;
    }
    slot.entry.recent = true;
    return slot.entry;
  }

  /**
   * Whether exactly this token string is held; no recency mark, no expiry check (`get` does
   * those). A `get` of the same string object right after reuses what this found (any
   * change to the cache in between forgets it).
   */
  has(token: string): boolean {
    const slot = this.#slots.get(slotIndex(token));
    if (slot === undefined || slot.token !== token) return false;
    this.#probedToken = token;
    this.#probedSlot = slot;
    return true;
  }

  #forgetProbe(): void {
    this.#probedToken = undefined;
    this.#probedSlot = undefined;
  }

  /** Drops exactly this token's entry (another token under the same index stays). */
  delete(token: string): void {
    this.#forgetProbe();
    const index = slotIndex(token);
    const slot = this.#slots.get(index);
    if (slot === undefined || slot.token !== token) return;
    this.#slots.delete(index);
    this.#bytes -= slot.entry.bytes;
  }

  /** Stores an entry, evicting as needed; an entry larger than the whole budget is not stored. */
  set(token: string, entry: CacheEntry, now: number): void {
    this.#forgetProbe();
    if (entry.bytes > this.#maxBytes) return;
    const index = slotIndex(token);
    const previous = this.#slots.get(index);
    if (previous !== undefined) {
      this.#slots.delete(index);
      this.#bytes -= previous.entry.bytes;
    }
    this.#evict(entry.bytes, now);
    this.#slots.set(index, { token, entry });
    this.#bytes += entry.bytes;
  }

  /** Makes room for one entry of `incoming` bytes. */
  #evict(incoming: number, now: number): void {
    // Each step drops an entry or clears a flag, so this ends within two passes.
    while (this.#slots.size >= this.#maxEntries || this.#bytes + incoming > this.#maxBytes) {
      const oldest = this.#slots.entries().next();
      if (oldest.done === true) return;
      const [index, slot] = oldest.value;
      this.#slots.delete(index);
      if (slot.entry.recent && slot.entry.expMs > now) {
        slot.entry.recent = false;
        this.#slots.set(index, slot);
      } else {
        this.#bytes -= slot.entry.bytes;
      }
    }
  }
}
