import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { windowClearOf } from './stall.js';

// The stall scenario's count lives in a fixed-window key, which expires when its window
// ends: a window ending mid-scenario reads 0 and looks like a late refund (issue 14, the
// flaky "afterRefund" seen about once in six runs with a one-minute window).
describe('the stall scenario’s window', () => {
  const margin = 99_000;
  const endsWithin = (now: number, windowMs: number) => windowMs - (now % windowMs);

  it('does not end within the margin, even a moment before an hour turns', () => {
    const hourEnd = Date.UTC(2026, 11, 2, 7, 0, 0);
    for (const now of [hourEnd - 1, hourEnd - 500, hourEnd - margin + 1, hourEnd, hourEnd + 1]) {
      const windowMs = windowClearOf(now, margin);
      expect(endsWithin(now, windowMs)).toBeGreaterThanOrEqual(margin);
      expect(windowMs).toBeLessThan(7 * 86_400_000);
    }
  });

  it('an hour when the hour is far from over', () => {
    expect(windowClearOf(Date.UTC(2026, 11, 2, 7, 10, 0), margin)).toBe(3_600_000);
  });

  it('holds for any instant of this century', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2100, 0, 1) }), (now) => {
        const windowMs = windowClearOf(now, margin);
        return endsWithin(now, windowMs) >= margin && windowMs <= 3_600_000 + 60_000;
      }),
      { numRuns: 2000 },
    );
  });
});
