import {
  BulwarkError,
  type Clock,
  ConfigError,
  checkOptions,
  type EventSink,
  emitEvent,
  parseDuration,
} from '@bulwark/core';
import type { Algorithm } from './algorithms.js';
import { memoryStore } from './memory-store.js';
import type { ConsumeResult, LimitCheck, RateLimitStore } from './port.js';

export type FailureMode = 'fail-open' | 'fail-closed' | 'fallback';

export interface FailureOptions {
  /** What to do when the store errs or times out. Default `fail-closed` (503). */
  readonly mode?: FailureMode | undefined;
  /** How long to wait for the store. Default 500 ms. */
  readonly timeout?: number | string | undefined;
}

/** The answer of a guarded store call: a result, or what the failure mode says to do. */
export type Guarded =
  | { readonly kind: 'result'; readonly result: ConsumeResult; readonly fallback: boolean }
  | { readonly kind: 'open' }
  | { readonly kind: 'closed' };

const OPEN: Guarded = Object.freeze({ kind: 'open' });
const CLOSED: Guarded = Object.freeze({ kind: 'closed' });

/** True for a Promise or any other thenable a store may return. */
function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/** A store call outlived `failure.timeout`: a `BulwarkError` with code `store_timeout`. */
export class StoreTimeoutError extends BulwarkError {
  constructor(ms: number) {
    super('store_timeout', `rate-limit store did not answer within ${ms} ms`);
    this.name = 'StoreTimeoutError';
  }
}

/**
 * Races `work` against `deadline` (`Date.now()` ms, `ms` after the call). The caller gives
 * up at the deadline, never before it: the store was told the same deadline and refuses to
 * apply an operation that starts after it, so giving up earlier would leave an instant in
 * which the operation still counts although the failure mode already answered. A timer can
 * fire a little early (Node starts it from the event loop's cached time), so it is re-armed
 * for what is left, at most once and at most `ms` (a local clock stepped back must not
 * stretch the wait).
 */
function withTimeout<T>(work: Promise<T> | T, ms: number, deadline: number): Promise<T> {
  if (!(work instanceof Promise)) return Promise.resolve(work);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    const giveUp = () => reject(new StoreTimeoutError(ms));
    timer = setTimeout(() => {
      const left = deadline - Date.now();
      if (left > 0 && left <= ms) timer = setTimeout(giveUp, left);
      else giveUp();
    }, ms);
  });
  // The losing promise must not surface as an unhandled rejection later.
  work.catch(() => {});
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** The store operations a policy makes; named in `ratelimit.store_failure` events. */
export type StoreOperation = 'consume' | 'peek' | 'refund' | 'reset';

/**
 * Wraps store calls with a timeout and the failure mode, so a hung or down Redis can
 * neither hang requests nor fail silently: every failure emits `ratelimit.store_failure`,
 * every use of the local fallback `ratelimit.fallback`.
 *
 * `consume` (the decision) follows the failure mode. `peek`, `refund` and `reset` are not
 * decisions, so no mode says what they should answer: they get the same timeout and, on a
 * failure, reject with a `BulwarkError` `store_unavailable` (503 if it reaches an adapter),
 * so a request that calls them fails fast instead of hanging on a hung store.
 *
 * Every call that changes state carries its deadline to the store (see the port): an
 * operation answered by the failure mode must not count later, when a stalled store
 * resumes and runs it.
 */
export function guardedStore(
  options: FailureOptions,
  policyName: string,
  onEvent: EventSink | undefined,
  clock: Clock,
) {
  checkOptions(options, ['mode', 'timeout'], 'failure');
  const mode = options.mode ?? 'fail-closed';
  if (!['fail-open', 'fail-closed', 'fallback'].includes(mode)) {
    throw new ConfigError('failure.mode', 'expected "fail-open", "fail-closed" or "fallback"');
  }
  const timeoutMs = parseDuration(options.timeout ?? 500, 'failure.timeout');
  if (timeoutMs < 1) throw new ConfigError('failure.timeout', 'expected at least 1 ms');
  const local = mode === 'fallback' ? memoryStore({ clock }) : undefined;
  const reportFailure = (store: RateLimitStore, operation: StoreOperation, err: unknown): void =>
    emitEvent(onEvent, {
      type: 'ratelimit.store_failure',
      at: clock.now(),
      policy: policyName,
      store: store.name,
      mode,
      operation,
      errorName: err instanceof Error ? err.name : typeof err,
    });

  /** What the failure mode answers for a consume that failed (threw, rejected or timed out). */
  function failed(
    store: RateLimitStore,
    algorithm: Algorithm,
    checks: readonly LimitCheck[],
    cost: number,
    err: unknown,
  ): Guarded {
    reportFailure(store, 'consume', err);
    if (local !== undefined) {
      emitEvent(onEvent, { type: 'ratelimit.fallback', at: clock.now(), policy: policyName, store: store.name });
      return { kind: 'result', result: local.consume(algorithm, checks, cost), fallback: true };
    }
    return mode === 'fail-open' ? OPEN : CLOSED;
  }

  /**
   * The store's consume under the failure mode. Synchronous when the store answers
   * synchronously (the memory store): no Promise, no timer, so a policy on it can answer
   * synchronously too and a guard list stays off the promise path (an await around a
   * ~70 ns store answer cost about 850 ns a request, issue #13). A store that throws
   * synchronously is a failure like a rejection. A Promise (Redis) gets the timeout.
   */
  function consume(
    store: RateLimitStore,
    algorithm: Algorithm,
    checks: readonly LimitCheck[],
    cost: number,
  ): Guarded | Promise<Guarded> {
    // Real time, whatever `clock` is: the timeout is a real-time timer. A synchronous store
    // (memory) has no use for a deadline, and a clock read is a tenth of its whole check.
    const deadline = store.synchronous === true ? undefined : Date.now() + timeoutMs;
    let answer: Promise<ConsumeResult> | ConsumeResult;
    try {
      answer = store.consume(algorithm, checks, cost, undefined, deadline);
    } catch (err) {
      return failed(store, algorithm, checks, cost, err);
    }
    if (!isThenable(answer)) return { kind: 'result', result: answer, fallback: false };
    return withTimeout(Promise.resolve(answer), timeoutMs, deadline ?? Date.now() + timeoutMs).then(
      (result): Guarded => ({ kind: 'result', result, fallback: false }),
      (err: unknown) => failed(store, algorithm, checks, cost, err),
    );
  }

  /**
   * A `peek`, `refund` or `reset`: the timeout, and a failure reported and rethrown. `work`
   * gets the deadline to pass to the store (`refund` and `reset` must not apply after it:
   * the caller was told they failed).
   */
  async function bounded<T>(
    store: RateLimitStore,
    operation: Exclude<StoreOperation, 'consume'>,
    work: (deadline: number) => Promise<T> | T,
  ): Promise<T> {
    try {
      const deadline = Date.now() + timeoutMs;
      return await withTimeout(work(deadline), timeoutMs, deadline);
    } catch (err) {
      reportFailure(store, operation, err);
      throw new BulwarkError('store_unavailable', `The rate-limit store failed during ${operation}.`, {
        cause: err,
      });
    }
  }

  return { consume, bounded };
}
