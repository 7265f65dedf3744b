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

/**
 * Where an algorithm writes one step: the fields of {@link Step} with the next state
 * flattened into `a`, `b`, `c`. Stores on the hot path reuse one record, so a check
 * allocates nothing for the algorithm; `step()` wraps it for everyone else.
 */
export interface StepRecord {
  allowed: boolean;
  a: number;
  b: number;
  c: number;
  remaining: number;
  resetMs: number;
  retryAfterMs: number;
  ttlMs: number;
}

/** A fresh record for {@link stepInto}. */
export const stepRecord = (): StepRecord => ({
  allowed: false,
  a: 0,
  b: 0,
  c: 0,
  remaining: 0,
  resetMs: 0,
  retryAfterMs: 0,
  ttlMs: 0,
});

/** `has` false: no state yet (a, b, c are ignored). Same shape as the Lua twins. */
type StepInto = (
  has: boolean,
  a: number,
  b: number,
  c: number,
  now: number,
  cost: number,
  limit: number,
  window: number,
  out: StepRecord,
) => void;

/**
 * `now - now % window` without `%`: on timestamps (doubles beyond the small-integer range)
 * V8 computes `%` with a call to C's fmod, about 8 ns of a ~90 ns check. The division is
 * exact enough: for integers below 2^53 whose quotient is not an integer, `now / window`
 * is at least 1/now below the next integer, far more than a double's rounding, so the
 * floor is the true quotient. Floored like Lua's `%`, which the Redis twins use.
 */
const windowStart = (now: number, window: number): number => Math.floor(now / window) * window;

/** [windowStart, count]: a counter per aligned window. */
const fixedWindow: StepInto = (has, a, b, _c, now, cost, limit, window, out) => {
  const start = windowStart(now, window);
  const count = has && a === start ? b : 0;
  const allowed = count + cost <= limit;
  const used = allowed ? count + cost : count;
  const resetMs = start + window - now;
  out.allowed = allowed;
  out.a = start;
  out.b = used;
  out.c = 0;
  out.remaining = Math.max(0, limit - used);
  out.resetMs = resetMs;
  out.retryAfterMs = allowed ? 0 : resetMs;
  out.ttlMs = resetMs;
};

/** [windowStart, current, previous]: the weighted two-window counter, compared in integers. */
const slidingWindow: StepInto = (has, a, b, c, now, cost, limit, window, out) => {
  const start = windowStart(now, window);
  let current = 0;
  let previous = 0;
  if (has) {
    if (a === start) {
      current = b;
      previous = c;
    } else if (a === start - window) {
      previous = b;
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
  out.allowed = allowed;
  out.a = start;
  out.b = used;
  out.c = previous;
  out.remaining = Math.max(0, Math.floor((budget - carried - used * window) / window));
  out.resetMs = resetMs;
  out.retryAfterMs = retryAfterMs;
  out.ttlMs = 2 * window - elapsed;
};

/** [units, updatedAt]: tokens scaled by the window so refills stay integral. */
const tokenBucket: StepInto = (has, a, b, _c, now, cost, limit, window, out) => {
  const capacity = limit * window;
  const units = has ? Math.min(capacity, a + Math.max(0, now - b) * limit) : capacity;
  const need = cost * window;
  const allowed = units >= need;
  const left = allowed ? units - need : units;
  const resetMs = Math.ceil((capacity - left) / limit);
  out.allowed = allowed;
  out.a = left;
  out.b = now;
  out.c = 0;
  out.remaining = Math.floor(left / window);
  out.resetMs = resetMs;
  out.retryAfterMs = allowed ? 0 : Math.ceil((need - units) / limit);
  out.ttlMs = Math.max(1, resetMs);
};

/**
 * [tatMs, tatRemainder]: GCRA with a burst of `limit`. The theoretical arrival time is
 * `tatMs + tatRemainder / limit` and advances by `window / limit` per unit of cost, kept
 * exact in integers (rounding every step would shrink the burst).
 */
const gcra: StepInto = (has, a, b, _c, now, cost, limit, window, out) => {
  let tatMs = now;
  let rem = 0;
  if (has && a >= now) {
    tatMs = a;
    rem = b;
  }
  const total = rem + cost * window;
  const nextMs = tatMs + Math.floor(total / limit);
  const nextRem = total % limit;
  const horizon = now + window;
  const allowed = nextMs < horizon || (nextMs === horizon && nextRem === 0);
  const storedMs = allowed ? nextMs : tatMs;
  const storedRem = allowed ? nextRem : rem;
  const resetMs = storedMs - now + (storedRem > 0 ? 1 : 0);
  out.allowed = allowed;
  out.a = storedMs;
  out.b = storedRem;
  out.c = 0;
  out.remaining = Math.max(0, Math.floor(((horizon - storedMs) * limit - storedRem) / window));
  out.resetMs = resetMs;
  out.retryAfterMs = allowed ? 0 : nextMs - horizon + (nextRem > 0 ? 1 : 0);
  out.ttlMs = Math.max(1, resetMs);
};

/**
 * One step of `algorithm` from a flattened state (`has` false: none) into `out`. The
 * allocation-free form of {@link step}, for stores on the hot path.
 */
export function stepInto(
  algorithm: Algorithm,
  has: boolean,
  a: number,
  b: number,
  c: number,
  now: number,
  cost: number,
  limit: number,
  window: number,
  out: StepRecord,
): void {
  // A switch on interned strings is a pointer compare: cheaper than a keyed lookup here.
  switch (algorithm) {
    case 'fixed-window':
      fixedWindow(has, a, b, c, now, cost, limit, window, out);
      return;
    case 'sliding-window':
      slidingWindow(has, a, b, c, now, cost, limit, window, out);
      return;
    case 'token-bucket':
      tokenBucket(has, a, b, c, now, cost, limit, window, out);
      return;
    case 'gcra':
      gcra(has, a, b, c, now, cost, limit, window, out);
      return;
  }
}

/** One step of `algorithm`. */
export function step(
  algorithm: Algorithm,
  state: AlgorithmState | undefined,
  now: number,
  cost: number,
  limit: number,
  window: number,
): Step {
  const out = stepRecord();
  if (state === undefined) stepInto(algorithm, false, 0, 0, 0, now, cost, limit, window, out);
  else stepInto(algorithm, true, state[0], state[1], state[2], now, cost, limit, window, out);
  return {
    allowed: out.allowed,
    next: [out.a, out.b, out.c],
    remaining: out.remaining,
    resetMs: out.resetMs,
    retryAfterMs: out.retryAfterMs,
    ttlMs: out.ttlMs,
  };
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
