// Test helpers (not exported by the package): engines that count or stand in for the real ones.
import type { Argon2Engine, Argon2Input } from './engine.js';

/** Wraps an engine, recording how many computations ran and the most at once. */
export function countingEngine(inner: Argon2Engine): Argon2Engine & {
  readonly calls: number;
  readonly peak: number;
  readonly inputs: Argon2Input[];
} {
  let calls = 0;
  let active = 0;
  let peak = 0;
  const inputs: Argon2Input[] = [];
  return {
    name: `counting(${inner.name})`,
    offThread: inner.offThread,
    get calls() {
      return calls;
    },
    get peak() {
      return peak;
    },
    inputs,
    async argon2id(input) {
      calls++;
      inputs.push(input);
      active++;
      peak = Math.max(peak, active);
      try {
        return await inner.argon2id(input);
      } finally {
        active--;
      }
    },
  };
}

/** Instant and wrong on purpose: for tests of everything around the computation. */
export const zeroEngine: Argon2Engine = {
  name: 'zero',
  offThread: false,
  argon2id: async (input) => new Uint8Array(input.hashLength),
};
