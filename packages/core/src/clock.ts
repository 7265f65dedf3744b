/** The source of time for every primitive. Inject a manual clock in tests instead of sleeping. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

/** The wall clock. */
export const systemClock: Clock = Object.freeze({ now: () => Date.now() });

/** A clock you move by hand. */
export interface ManualClock extends Clock {
  set(ms: number): void;
  advance(ms: number): void;
}

/**
 * A clock for tests and simulations.
 *
 * @example
 * ```ts
 * const clock = manualClock(Date.UTC(2026, 0, 1));
 * clock.advance(60_000);
 * ```
 */
export function manualClock(start = 0): ManualClock {
  let current = start;
  return {
    now: () => current,
    set: (ms) => {
      current = ms;
    },
    advance: (ms) => {
      current += ms;
    },
  };
}
