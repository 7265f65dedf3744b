/**
 * The four algorithms as pure functions of (state, now, cost, limit, window). Integer
 * arithmetic throughout (or one rounding step, identical in JS and Lua), so the memory
 * store and the Redis scripts give the same decision for the same sequence. The Lua twins
 * live in `@bulwark/redis`; a differential property test holds them equal.
 */
export type Algorithm = 'fixed-window' | 'sliding-window' | 'token-bucket' | 'gcra';

export const ALGORITHMS: readonly Algorithm[] = ['fixed-window', 'sliding-window', 'token-bucket', 'gcra'];

/** Algorithm state: up to three numbers, meaning per algorithm. */
export type AlgorithmState = readonly [number, number, number];

export interface Step {
  readonly allowed: boolean;
  /** The state to store when every limit of the request allows it. */
  readonly next: AlgorithmState;
  readonly remaining: number;
  /** Milliseconds until the limit is fully available again (window end, bucket full). */
  readonly resetMs: number;
  /** Milliseconds until this cost could pass; 0 when allowed. */
  readonly retryAfterMs: number;
  /** How long the stored state matters. */
  readonly ttlMs: number;
}

type StepFn = (state: AlgorithmState | undefined, now: number, cost: number, limit: number, window: number) => Step;

/** [windowStart, count]: a counter per aligned window. */
const fixedWindow: StepFn = (state, now, cost, limit, window) => {
  const start = now - (now % window);
  const count = state !== undefined && state[0] === start ? state[1] : 0;
  const allowed = count + cost <= limit;
  const used = allowed ? count + cost : count;
  const resetMs = start + window - now;
  return {
    allowed,
    next: [start, used, 0],
    remaining: Math.max(0, limit - used),
    resetMs,
    retryAfterMs: allowed ? 0 : resetMs,
    ttlMs: resetMs,
  };
};

/** [windowStart, current, previous]: the weighted two-window counter, compared in integers. */
const slidingWindow: StepFn = (state, now, cost, limit, window) => {
  const start = now - (now % window);
  let current = 0;
  let previous = 0;
  if (state !== undefined) {
    if (state[0] === start) {
      current = state[1];
      previous = state[2];
    } else if (state[0] === start - window) {
      previous = state[1];
    }
  }
  const elapsed = now - start;
  const budget = limit * window;
  const carried = previous * (window - elapsed);
  const allowed = carried + (current + cost) * window <= budget;
  const used = allowed ? current + cost : current;
  const resetMs = window - elapsed;
  let retryAfterMs = 0;
  if (!allowed) {
    const room = limit - current - cost;
    retryAfterMs =
      room >= 0 && previous > 0 ? Math.max(1, window - Math.floor((room * window) / previous) - elapsed) : resetMs;
  }
  return {
    allowed,
    next: [start, used, previous],
    remaining: Math.max(0, Math.floor((budget - carried - used * window) / window)),
    resetMs,
    retryAfterMs,
    ttlMs: 2 * window - elapsed,
  };
};

/** [units, updatedAt]: tokens scaled by the window so refills stay integral. */
const tokenBucket: StepFn = (state, now, cost, limit, window) => {
  const capacity = limit * window;
  const units = state === undefined ? capacity : Math.min(capacity, state[0] + Math.max(0, now - state[1]) * limit);
  const need = cost * window;
  const allowed = units >= need;
  const left = allowed ? units - need : units;
  const resetMs = Math.ceil((capacity - left) / limit);
  return {
    allowed,
    next: [left, now, 0],
    remaining: Math.floor(left / window),
    resetMs,
    retryAfterMs: allowed ? 0 : Math.ceil((need - units) / limit),
    ttlMs: Math.max(1, resetMs),
  };
};

/**
 * [tatMs, tatRemainder]: GCRA with a burst of `limit`. The theoretical arrival time is
 * `tatMs + tatRemainder / limit` and advances by `window / limit` per unit of cost, kept
 * exact in integers (rounding every step would shrink the burst).
 */
const gcra: StepFn = (state, now, cost, limit, window) => {
  let tatMs = now;
  let rem = 0;
  if (state !== undefined && state[0] >= now) {
    tatMs = state[0];
    rem = state[1];
  }
  const total = rem + cost * window;
  const nextMs = tatMs + Math.floor(total / limit);
  const nextRem = total % limit;
  const horizon = now + window;
  const allowed = nextMs < horizon || (nextMs === horizon && nextRem === 0);
  const storedMs = allowed ? nextMs : tatMs;
  const storedRem = allowed ? nextRem : rem;
  const resetMs = storedMs - now + (storedRem > 0 ? 1 : 0);
  return {
    allowed,
    next: [storedMs, storedRem, 0],
    remaining: Math.max(0, Math.floor(((horizon - storedMs) * limit - storedRem) / window)),
    resetMs,
    retryAfterMs: allowed ? 0 : nextMs - horizon + (nextRem > 0 ? 1 : 0),
    ttlMs: Math.max(1, resetMs),
  };
};

const STEPS: Readonly<Record<Algorithm, StepFn>> = {
  'fixed-window': fixedWindow,
  'sliding-window': slidingWindow,
  'token-bucket': tokenBucket,
  gcra,
};

/** One step of `algorithm`. */
export function step(
  algorithm: Algorithm,
  state: AlgorithmState | undefined,
  now: number,
  cost: number,
  limit: number,
  window: number,
): Step {
  return STEPS[algorithm](state, now, cost, limit, window);
}

/** The state after giving `cost` back: never below empty, never above full. */
export function refundState(
  algorithm: Algorithm,
  state: AlgorithmState,
  now: number,
  cost: number,
  limit: number,
  window: number,
): AlgorithmState {
  switch (algorithm) {
    case 'fixed-window':
      return [state[0], Math.max(0, state[1] - cost), 0];
    case 'sliding-window':
      return [state[0], Math.max(0, state[1] - cost), state[2]];
    case 'token-bucket': {
      const capacity = limit * window;
      const units = Math.min(capacity, state[0] + Math.max(0, now - state[1]) * limit);
      return [Math.min(capacity, units + cost * window), now, 0];
    }
    case 'gcra': {
      const back = cost * window;
      let tatMs = state[0] - Math.floor(back / limit);
      let rem = state[1] - (back % limit);
      if (rem < 0) {
        rem += limit;
        tatMs -= 1;
      }
      return tatMs < now ? [now, 0, 0] : [tatMs, rem, 0];
    }
  }
}
