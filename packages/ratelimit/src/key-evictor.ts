import { EvictionOrder } from './eviction-order.js';
import type { KeyRecords } from './key-records.js';
import type { ScopeRegistry } from './scope-registry.js';

/**
 * Chooses which key the memory store drops at its cap: one that is *not currently
 * limited*, of any scope, found by the clock of an {@link EvictionOrder}; a limited key the
 * hand meets is parked until its limit can end. Keys a check in progress has found are
 * spared (`spare`), so that making room for one of its keys never evicts another of its
 * keys (the freed slot would then serve both, resetting both counters).
 */
export class KeyEvictor {
  readonly #order: EvictionOrder;
  readonly #records: KeyRecords;
  readonly #scopes: ScopeRegistry;
  readonly #spared: number[] = [];

  constructor(records: KeyRecords, scopes: ScopeRegistry) {
    this.#records = records;
    this.#scopes = scopes;
    this.#order = new EvictionOrder((slot) => records.freeAt(slot));
  }

  /** A new key joins the order (just behind the hand: considered last). */
  add(slot: number): void {
    this.#order.add(slot);
  }

  /** A removed key leaves the order. */
  remove(slot: number): void {
    this.#order.remove(slot);
  }

  /** Spares these slots (negative ones are ignored) until {@link spareNone}. */
  spare(slots: readonly number[]): void {
    for (const slot of slots) if (slot >= 0) this.#spared.push(slot);
  }

  spareNone(): void {
    this.#spared.length = 0;
  }

  /**
   * Evicts one key that is not limited at `now`; false when every key is (the store then
   * refuses the check). Each step of the hand evicts a key or parks a limited one; a spared key is passed
   * over (it is simply not a candidate).
   */
  evictOne(now: number): boolean {
    const order = this.#order;
    const records = this.#records;
    order.unpark(now);
    let passed = 0;
    while (order.candidates > passed) {
      const slot = order.advance();
      const free = records.freeAt(slot);
      if (free > now) order.park(slot, free);
      else if (this.#spared.length > 0 && this.#spared.includes(slot)) passed++;
      else {
        // Removing the key from its scope releases the slot (see MemoryEngine).
        this.#scopes.byId(records.scopeId(slot)).delete(records.key(slot), records.ipv4(slot), slot);
        return true;
      }
    }
    return false;
  }
}
