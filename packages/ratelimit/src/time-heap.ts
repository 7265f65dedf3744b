/**
 * A binary min-heap of (time, slot) pairs in two typed arrays: the memory store's parked
 * keys, soonest first. No objects per entry, so parking a key allocates nothing.
 */
export class TimeHeap {
  #times = new Float64Array(64);
  #slots = new Int32Array(64);
  #size = 0;

  get size(): number {
    return this.#size;
  }

  /** The earliest time held; only meaningful when `size > 0`. */
  get topTime(): number {
    return this.#times[0] as number;
  }

  push(time: number, slot: number): void {
    if (this.#size === this.#times.length) {
      const times = new Float64Array(this.#size * 2);
      times.set(this.#times);
      this.#times = times;
      const slots = new Int32Array(this.#size * 2);
      slots.set(this.#slots);
      this.#slots = slots;
    }
    const times = this.#times;
    const slots = this.#slots;
    let i = this.#size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((times[parent] as number) <= time) break;
      times[i] = times[parent] as number;
      slots[i] = slots[parent] as number;
      i = parent;
    }
    times[i] = time;
    slots[i] = slot;
  }

  /** Removes the earliest entry and answers its slot; only when `size > 0`. */
  pop(): number {
    const times = this.#times;
    const slots = this.#slots;
    const top = slots[0] as number;
    const last = --this.#size;
    const time = times[last] as number;
    const slot = slots[last] as number;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= last) break;
      if (child + 1 < last && (times[child + 1] as number) < (times[child] as number)) child++;
      if ((times[child] as number) >= time) break;
      times[i] = times[child] as number;
      slots[i] = slots[child] as number;
      i = child;
    }
    times[i] = time;
    slots[i] = slot;
    return top;
  }

  clear(): void {
    this.#size = 0;
  }
}
