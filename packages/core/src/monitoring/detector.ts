import type { Clock } from '../clock.js';
import { systemClock } from '../clock.js';
import { ConfigError } from '../errors.js';
import type { AlertEvent, EventSink, SecurityEvent } from '../events.js';
import { emitEvent } from '../events.js';
import { checkOptions } from '../options.js';
import { initialSignal, observe, type SignalState, type SpikeRule, threshold } from './spike.js';

/** The failures the detector watches by default: what an attack makes jump. */
export const DEFAULT_SPIKE_SIGNALS = [
  'auth.failed',
  'login.failed',
  'authz.denied',
  'ratelimit.exceeded',
  'validation.failed',
] as const satisfies readonly SecurityEvent['type'][];

export interface SpikeDetectorOptions {
  /** The event types to watch. Default {@link DEFAULT_SPIKE_SIGNALS}. */
  readonly signals?: readonly SecurityEvent['type'][] | undefined;
  /** A minute at `factor` times the baseline is a spike. Default 5. */
  readonly factor?: number | undefined;
  /** The least baseline, per minute. Default 10 (so the first alert needs 50 in a minute). */
  readonly floor?: number | undefined;
  /** EWMA weight of each closed minute. Default 0.2 (a baseline of about the last 5-10 minutes). */
  readonly alpha?: number | undefined;
  /** Where `alert` events go (your sink: the ECS lines, an alert hook). */
  readonly onEvent?: EventSink | undefined;
  readonly clock?: Clock | undefined;
}

export interface SpikeDetector {
  /** Feed it every event (put it in your sink chain); only watched types count. */
  readonly sink: EventSink;
  /** Each watched signal's state, for a status page. */
  snapshot(): ReadonlyArray<{ signal: string; ratePerMinute: number; baselinePerMinute: number; alerting: boolean }>;
}

function positive(value: number | undefined, fallback: number, option: string, max = Number.MAX_SAFE_INTEGER): number {
  const n = value ?? fallback;
  if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0 || n > max) {
    throw new ConfigError(
      option,
      `expected a number above 0${max < Number.MAX_SAFE_INTEGER ? ` and at most ${max}` : ''}`,
    );
  }
  return n;
}

/**
 * A failure-spike detector over the event stream: per watched type, the count of the
 * current minute against an EWMA of past minutes (with a floor), raising one `alert` event
 * when a minute's count reaches `factor` times the baseline — one per spike, not one per
 * event: the signal stays alerting until a minute closes below the threshold. Memory is
 * a few numbers per watched type; time comes from the clock (events' own `at` is not
 * trusted for it).
 *
 * @example
 * ```ts
 * declare function notifyOnCall(event: SecurityEvent): void;
 * const lines = ecsSink((line) => process.stderr.write(line));
 * const detector = spikeDetector({ onEvent: teeSink(lines, alertHook(['alert'], notifyOnCall)) });
 * const onEvent = teeSink(lines, detector.sink); // give onEvent to every primitive
 * ```
 */
export function spikeDetector(options: SpikeDetectorOptions = {}): SpikeDetector {
  checkOptions(options, ['signals', 'factor', 'floor', 'alpha', 'onEvent', 'clock']);
  const rule: SpikeRule = {
    factor: positive(options.factor, 5, 'factor'),
    floor: positive(options.floor, 10, 'floor'),
    alpha: positive(options.alpha, 0.2, 'alpha', 1),
  };
  if (rule.factor <= 1) throw new ConfigError('factor', 'expected above 1 (a spike is a rate above its baseline)');
  const signals = options.signals ?? DEFAULT_SPIKE_SIGNALS;
  if (!Array.isArray(signals) || signals.length === 0 || signals.some((s) => typeof s !== 'string' || s === 'alert')) {
    throw new ConfigError('signals', 'expected a non-empty list of event types (not "alert" itself)');
  }
  const clock = options.clock ?? systemClock;
  const onEvent = options.onEvent;
  const states = new Map<string, SignalState>();
  const start = clock.now();
  for (const signal of signals) states.set(signal, initialSignal(start));

  return {
    sink(event) {
      const state = states.get(event.type);
      if (state === undefined) return;
      const now = clock.now();
      const step = observe(state, now, rule);
      states.set(event.type, step.next);
      if (!step.spike) return;
      const alert: AlertEvent = {
        type: 'alert',
        at: now,
        signal: event.type,
        ratePerMinute: step.next.count,
        baselinePerMinute: Math.round(Math.max(step.next.baseline, rule.floor) * 100) / 100,
        factor: rule.factor,
      };
      emitEvent(onEvent, alert);
    },
    snapshot() {
      return [...states].map(([signal, state]) => ({
        signal,
        ratePerMinute: state.count,
        baselinePerMinute: Math.max(state.baseline, rule.floor),
        alerting: state.active || state.count >= threshold(state, rule),
      }));
    },
  };
}
