/**
 * Fixed-size records of numbers in one growable Float64Array, addressed by slot index.
 * Keeping rate-limit state here instead of in one JS object per key avoids per-object
 * headers and boxed doubles (timestamps are not small integers): 64 bytes per key (eight
 * numbers) instead of about 170.
 */
export class Slab {
  static readonly FIELDS = 8;
  #data: Float64Array;
  #free: number[] = [];
  #next = 0;

  constructor(initialSlots = 1024) {
    this.#data = new Float64Array(initialSlots * Slab.FIELDS);
  }

  get data(): Float64Array {
    return this.#data;
  }

  allocate(): number {
    const reused = this.#free.pop();
    if (reused !== undefined) return reused;
    const slot = this.#next++;
    if ((slot + 1) * Slab.FIELDS > this.#data.length) {
      const grown = new Float64Array(this.#data.length * 2);
      grown.set(this.#data);
      this.#data = grown;
    }
    return slot;
  }

  release(slot: number): void {
    this.#free.push(slot);
  }
}
