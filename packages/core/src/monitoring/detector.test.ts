import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { manualClock } from '../clock.js';
import type { AlertEvent, SecurityEvent } from '../events.js';
import { spikeDetector } from './detector.js';
import { advance, initialSignal, MINUTE_MS, observe } from './spike.js';

const START = Date.UTC(2026, 0, 1);
const failure = (at: number): SecurityEvent => ({
  type: 'login.failed',
  at,
  account: 'tag',
  reason: 'invalid_credentials',
  attempts: 1,
});

/** Feeds `perMinute` events spread evenly over each of `minutes` minutes. */
function stream(
  detector: ReturnType<typeof spikeDetector>,
  clock: ReturnType<typeof manualClock>,
  perMinute: number,
  minutes: number,
) {
  for (let m = 0; m < minutes; m++) {
    const minuteStart = clock.now();
    for (let i = 0; i < perMinute; i++) {
      clock.set(minuteStart + Math.floor((i * MINUTE_MS) / perMinute));
      detector.sink(failure(clock.now()));
    }
    clock.set(minuteStart + MINUTE_MS);
  }
}

function setup(options: Parameters<typeof spikeDetector>[0] = {}) {
  const clock = manualClock(START);
  const alerts: AlertEvent[] = [];
  const detector = spikeDetector({ clock, onEvent: (e) => alerts.push(e as AlertEvent), ...options });
  return { clock, alerts, detector };
}

describe('spikeDetector', () => {
  it('raises nothing on a steady rate', () => {
    const { clock, alerts, detector } = setup();
    stream(detector, clock, 30, 120);
    expect(alerts).toEqual([]);
  });

  it('a 10x jump raises one alert, not one per event, and a sustained one no more', () => {
    const { clock, alerts, detector } = setup();
    stream(detector, clock, 20, 30);
    stream(detector, clock, 200, 5);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ type: 'alert', signal: 'login.failed', factor: 5 });
    expect(alerts[0]?.ratePerMinute).toBe(100);
    expect(alerts[0]?.baselinePerMinute).toBeCloseTo(20, 0);
    // Back to normal for a while, then another jump: a second alert.
    stream(detector, clock, 20, 60);
    stream(detector, clock, 400, 1);
    expect(alerts).toHaveLength(2);
  });

  it('counts only watched types; the floor keeps a quiet signal from alerting on a handful', () => {
    const { clock, alerts, detector } = setup({ signals: ['authz.denied'] });
    stream(detector, clock, 200, 2); // login.failed: not watched here
    for (let i = 0; i < 49; i++)
      detector.sink({ type: 'authz.denied', at: clock.now(), layer: 'function', required: ['a'], missing: ['a'] });
    expect(alerts).toHaveLength(0);
    detector.sink({ type: 'authz.denied', at: clock.now(), layer: 'function', required: ['a'], missing: ['a'] });
    expect(alerts).toHaveLength(1);
  });

  it('decays the baseline over a silence in closed form (no loop over the minutes)', () => {
    const rule = { alpha: 0.5, floor: 1, factor: 5 };
    let state = initialSignal(START);
    for (let i = 0; i < 100; i++) state = observe(state, START, rule).next;
    const later = advance(state, START + 3 * MINUTE_MS, rule);
    expect(later.baseline).toBeCloseTo(50 * 0.25);
    expect(advance(state, START + 10_000 * 365 * 24 * 60 * MINUTE_MS, rule).baseline).toBe(0);
  });

  it('never raises more than one alert per minute and signal (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 1, maxLength: 30 }), (rates) => {
        const { clock, alerts, detector } = setup();
        for (const rate of rates) stream(detector, clock, rate, 1);
        const minutes = alerts.map((a) => Math.floor(a.at / MINUTE_MS));
        expect(new Set(minutes).size).toBe(minutes.length);
      }),
      { numRuns: 50 },
    );
  });

  it('refuses bad options by name', () => {
    expect(() => spikeDetector({ factor: 1 })).toThrow(/factor/);
    expect(() => spikeDetector({ alpha: 2 })).toThrow(/alpha/);
    expect(() => spikeDetector({ floor: 0 })).toThrow(/floor/);
    expect(() => spikeDetector({ signals: [] })).toThrow(/signals/);
    expect(() => spikeDetector({ signals: ['alert'] })).toThrow(/signals/);
    expect(() => spikeDetector({ window: 1 } as never)).toThrow(/window/);
  });
});
