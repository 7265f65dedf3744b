import { expectSameDecisions, rateLimitSequence } from '@bulwark/testkit';
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { memoryStore } from './memory-store.js';

// The memory store is an optimised engine (IPv4 index, slab, eviction clock, a one-limit
// fast path): the testkit's reference store is the port written plainly, and every
// generated sequence must get the same answers from both. The Redis store runs the same
// property against the same reference (packages/redis/src/store.test.ts).
describe('memory store against the reference store (property)', () => {
  it('gives identical decisions on generated sequences of consume, peek, refund, reset and time', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(rateLimitSequence(), async (sequence) => {
        run++;
        const keys = { text: `client-${run}`, ipv4: `198.51.${(run >> 8) & 255}.${run & 255}` };
        await expectSameDecisions([{ name: 'memory', store: memoryStore() }], sequence, keys);
      }),
      { numRuns: 1_000 },
    );
  });
});
