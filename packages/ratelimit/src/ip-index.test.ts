import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IpIndex } from './ip-index.js';

/** Every key the index holds, by walking its positions. */
const contents = (index: IpIndex) => {
  const found = new Map<number, number>();
  for (let position = 0; position < index.capacity; position++) {
    const slot = index.slotAt(position);
    if (slot >= 0) found.set(index.valueAt(position), slot);
  }
  return found;
};

describe('IpIndex', () => {
  it('agrees with a Map through inserts, removals, walks and rebuilds (property)', () => {
    // Few distinct addresses (so removals and re-inserts hit), the extremes included.
    const address = fc.oneof(
      fc.integer({ min: 0, max: 300 }),
      fc.constantFrom(0, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1),
      fc.integer({ min: 0, max: 2 ** 32 - 1 }),
    );
    const op = fc.oneof(
      { arbitrary: fc.record({ kind: fc.constant('insert' as const), value: address }), weight: 5 },
      { arbitrary: fc.record({ kind: fc.constant('remove' as const), value: address }), weight: 3 },
      // Removes every key whose slot is odd, walking positions as the store's sweep does.
      { arbitrary: fc.record({ kind: fc.constant('walk' as const), value: fc.constant(0) }), weight: 1 },
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
        const index = new IpIndex();
        const model = new Map<number, number>();
        let nextSlot = 0;
        for (const { kind, value } of ops) {
          if (kind === 'insert') {
            // The store inserts only after a lookup that found nothing.
            if (index.get(value) >= 0) continue;
            index.insert(value, nextSlot);
            model.set(value, nextSlot++);
          } else if (kind === 'remove') {
            expect(index.remove(value)).toBe(model.delete(value));
            index.compact();
          } else {
            for (let position = 0; position < index.capacity; position++) {
              const slot = index.slotAt(position);
              if (slot >= 0 && slot % 2 === 1) {
                model.delete(index.valueAt(position));
                index.removeAt(position);
              }
            }
            index.compact();
          }
          expect(index.size).toBe(model.size);
        }
        expect(contents(index)).toEqual(model);
        for (const [value, slot] of model) expect(index.get(value)).toBe(slot);
      }),
      { numRuns: 300 },
    );
  });

  it('grows with its keys and shrinks when they go', () => {
    const index = new IpIndex();
    for (let value = 0; value < 100_000; value++) index.insert(value * 7919, value);
    expect(index.size).toBe(100_000);
    // Less than half full, at least a quarter: 16 to 32 bytes a key.
    expect(index.capacity).toBeGreaterThan(200_000);
    expect(index.capacity).toBeLessThanOrEqual(400_000);
    let misplaced = 0;
    for (let value = 0; value < 100_000; value++) if (index.get(value * 7919) !== value) misplaced++;
    expect(misplaced).toBe(0);
    for (let value = 0; value < 99_990; value++) index.remove(value * 7919);
    index.compact();
    expect(index.size).toBe(10);
    expect(index.capacity).toBeLessThanOrEqual(64);
    expect(index.get(99_995 * 7919)).toBe(99_995);
  });

  it('keeps lookups of absent keys short after heavy churn (tombstones are reclaimed)', () => {
    const index = new IpIndex();
    for (let round = 0; round < 200; round++) {
      for (let i = 0; i < 100; i++) index.insert(round * 100 + i, i);
      for (let i = 0; i < 100; i++) index.remove(round * 100 + i);
    }
    expect(index.size).toBe(0);
    // A table full of tombstones would make this loop forever; it answers at once.
    expect(index.get(123_456_789)).toBe(-1);
  });
});
