import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EvictionOrder } from './eviction-order.js';
import { TimeHeap } from './time-heap.js';

describe('TimeHeap', () => {
  it('pops its slots in time order (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 50 }), fc.boolean()), { maxLength: 300 }), (ops) => {
        const heap = new TimeHeap();
        const model: number[] = [];
        ops.forEach(([time, pop], i) => {
          if (pop && model.length > 0) {
            model.sort((a, b) => a - b);
            expect(heap.topTime).toBe(model[0]);
            heap.pop();
            model.shift();
          } else {
            heap.push(time, i);
            model.push(time);
          }
          expect(heap.size).toBe(model.length);
        });
      }),
    );
  });
});

describe('EvictionOrder', () => {
  it('agrees with a model: every key is a candidate or parked, and a parked key comes back once its time has passed (property)', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('add' as const), slot: fc.integer({ min: 0, max: 40 }) }),
      fc.record({ kind: fc.constant('remove' as const), slot: fc.integer({ min: 0, max: 40 }) }),
      fc.record({ kind: fc.constant('park' as const), until: fc.integer({ min: 1, max: 30 }) }),
      fc.record({ kind: fc.constant('extend' as const), slot: fc.integer({ min: 0, max: 40 }), by: fc.nat(10) }),
      fc.record({ kind: fc.constant('tick' as const), by: fc.integer({ min: 0, max: 10 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        // The time each live key may be evicted from; it only moves later, as in the store.
        const freeAt = new Map<number, number>();
        const parked = new Set<number>();
        const order = new EvictionOrder((slot) => freeAt.get(slot) ?? 0);
        let now = 0;
        for (const step of ops) {
          if (step.kind === 'add' && !freeAt.has(step.slot)) {
            freeAt.set(step.slot, now);
            order.add(step.slot);
          } else if (step.kind === 'remove' && freeAt.has(step.slot)) {
            freeAt.delete(step.slot);
            parked.delete(step.slot);
            order.remove(step.slot);
          } else if (step.kind === 'park' && order.candidates > 0) {
            const slot = order.advance();
            expect(freeAt.has(slot) && !parked.has(slot)).toBe(true);
            const until = now + step.until;
            freeAt.set(slot, Math.max(until, freeAt.get(slot) ?? 0));
            parked.add(slot);
            order.park(slot, until);
          } else if (step.kind === 'extend' && parked.has(step.slot)) {
            freeAt.set(step.slot, (freeAt.get(step.slot) ?? 0) + step.by);
          } else if (step.kind === 'tick') {
            now += step.by;
            order.unpark(now);
            for (const slot of parked) if ((freeAt.get(slot) ?? 0) <= now) parked.delete(slot);
          }
          expect(order.candidates).toBe(freeAt.size - parked.size);
        }
        // A full turn of the hand meets every candidate exactly once.
        const seen = new Set<number>();
        for (let i = 0; i < order.candidates; i++) seen.add(order.advance());
        expect([...seen].sort((a, b) => a - b)).toEqual(
          [...freeAt.keys()].filter((s) => !parked.has(s)).sort((a, b) => a - b),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('keeps its heap bounded by the parked keys when parked keys keep being removed', () => {
    const freeAt = new Map<number, number>([[8, 5]]);
    const order = new EvictionOrder((slot) => freeAt.get(slot) ?? 1_000_000);
    order.add(8);
    order.park(order.advance(), 5);
    // Park and remove the same slot 10,000 times: each leaves a heap entry behind.
    for (let i = 0; i < 10_000; i++) {
      order.add(7);
      order.park(order.advance(), 1_000_000);
      order.remove(7);
      // Two keys were parked when 7 was: at most twice that, plus the slack.
      expect(order.queued).toBeLessThanOrEqual(2 * 2 + 1024);
    }
    // Slot 8 comes back once its time has passed: the rebuilds kept it.
    order.unpark(4);
    expect(order.candidates).toBe(0);
    order.unpark(5);
    expect(order.candidates).toBe(1);
    expect(order.advance()).toBe(8);
  });
});
