import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { unpackCompact } from './compact-reply.js';

const TWO_32 = 2 ** 32;
/** What the compact script answers (lua.ts): count * 2^32 + (now mod 2^32). */
const pack = (now: number, count: number) => count * TWO_32 + (now % TWO_32);

describe('unpackCompact', () => {
  it('restores Redis now and the count while the clocks differ by less than 2^31 ms (property)', () => {
    fc.assert(
      fc.property(
        // Any ms time from 1970 to about 2255, a count that fits (the script answers a table
        // from 2^21 on) and a skew of this machine's clock up to just under 2^31 ms.
        fc.integer({ min: 0, max: 9e12 }),
        fc.integer({ min: 0, max: 2 ** 21 - 1 }),
        fc.integer({ min: -(2 ** 31) + 1, max: 2 ** 31 - 1 }),
        (redisNow, count, skew) => {
          fc.pre(redisNow + skew >= 0);
          expect(unpackCompact(pack(redisNow, count), redisNow + skew)).toEqual([redisNow, count]);
        },
      ),
    );
  });

  it('is exact at the edges of the 32-bit wrap', () => {
    for (const redisNow of [TWO_32 - 1, TWO_32, TWO_32 + 1, 5 * TWO_32 - 1]) {
      for (const skew of [-(2 ** 31) + 1, -1, 0, 1, 2 ** 31 - 1]) {
        expect(unpackCompact(pack(redisNow, 2 ** 21 - 1), redisNow + skew)).toEqual([redisNow, 2 ** 21 - 1]);
      }
    }
  });

  it('uses Date.now() by default', () => {
    const now = Date.now();
    const [restored, count] = unpackCompact(pack(now, 7));
    expect(count).toBe(7);
    expect(Math.abs(restored - now)).toBeLessThan(1000);
  });
});
