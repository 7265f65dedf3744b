// The failure-spike detector's arithmetic: one signal's per-minute count against an EWMA
// baseline, as pure functions of plain numbers (no clock read here, no timers).

export interface SpikeRule {
  /** EWMA weight of the minute just closed (0..1]. */
  readonly alpha: number;
  /** The least baseline (events per minute) a rate is compared with: quiet signals do not alert on a handful. */
  readonly floor: number;
  /** A minute's count at `factor` times the baseline (floored) is a spike. */
  readonly factor: number;
}

export interface SignalState {
  /** The start of the minute being counted (epoch ms, a multiple of 60,000). */
  readonly minute: number;
  readonly count: number;
  /** The EWMA of closed minutes' counts. */
  readonly baseline: number;
  /** Alerting: set when a spike is raised, cleared when a minute closes below the threshold. */
  readonly active: boolean;
}

export const MINUTE_MS = 60_000;

export function initialSignal(now: number): SignalState {
  return { minute: now - (now % MINUTE_MS), count: 0, baseline: 0, active: false };
}

/** The count a minute must reach to be a spike. */
export function threshold(state: SignalState, rule: SpikeRule): number {
  return rule.factor * Math.max(state.baseline, rule.floor);
}

/**
 * Closes the minutes before `now`'s: the counted one folds into the baseline, every empty
 * minute after it decays it (in closed form: no loop over a long silence). A minute that
 * closes below the threshold ends an alert.
 */
export function advance(state: SignalState, now: number, rule: SpikeRule): SignalState {
  const minute = now - (now % MINUTE_MS);
  if (minute <= state.minute) return state;
  const limit = threshold(state, rule);
  const closed = rule.alpha * state.count + (1 - rule.alpha) * state.baseline;
  const emptyMinutes = (minute - state.minute) / MINUTE_MS - 1;
  const baseline = closed * (1 - rule.alpha) ** emptyMinutes;
  const active = state.active && state.count >= limit && emptyMinutes === 0;
  return { minute, count: 0, baseline, active };
}

export interface ObserveStep {
  readonly next: SignalState;
  /** True once per spike: the event that took the minute's count to the threshold. */
  readonly spike: boolean;
}

/** Counts one event at `now`. */
export function observe(state: SignalState, now: number, rule: SpikeRule): ObserveStep {
  const current = advance(state, now, rule);
  const count = current.count + 1;
  const spike = !current.active && count >= threshold(current, rule);
  return { next: { ...current, count, active: current.active || spike }, spike };
}
