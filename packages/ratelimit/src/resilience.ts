import { BulwarkError, type Clock, ConfigError, type EventSink, emitEvent, parseDuration } from '@bulwark/core';
import type { Algorithm } from './algorithms.js';
import { memoryStore } from './memory-store.js';
import type { ConsumeResult, LimitCheck, RateLimitStore } from './port.js';

export type FailureMode = 'fail-open' | 'fail-closed' | 'fallback';

export interface FailureOptions {
  /** What to do when the store errs or times out. Default `fail-closed` (503). */
  readonly mode?: FailureMode;
  /** How long to wait for the store. Default 500 ms. */
  readonly timeout?: number | string;
}

/** The answer of a guarded store call: a result, or what the failure mode says to do. */
export type Guarded =
  | { readonly kind: 'result'; readonly result: ConsumeResult; readonly fallback: boolean }
  | { readonly kind: 'open' }
  | { readonly kind: 'closed' };

class StoreTimeoutError extends Error {
  constructor(ms: number) {
    super(`rate-limit store did not answer within ${ms} ms`);
    this.name = 'StoreTimeoutError';
  }
}

function withTimeout<T>(work: Promise<T> | T, ms: number): Promise<T> {
  if (!(work instanceof Promise)) return Promise.resolve(work);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StoreTimeoutError(ms)), ms);
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
 */
export function guardedStore(
  options: FailureOptions,
  policyName: string,
  onEvent: EventSink | undefined,
  clock: Clock,
) {
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

  async function consume(
    store: RateLimitStore,
    algorithm: Algorithm,
    checks: readonly LimitCheck[],
    cost: number,
  ): Promise<Guarded> {
    try {
      return {
        kind: 'result',
        result: await withTimeout(store.consume(algorithm, checks, cost), timeoutMs),
        fallback: false,
      };
    } catch (err) {
      reportFailure(store, 'consume', err);
      if (local !== undefined) {
        emitEvent(onEvent, { type: 'ratelimit.fallback', at: clock.now(), policy: policyName, store: store.name });
        return { kind: 'result', result: local.consume(algorithm, checks, cost), fallback: true };
      }
      return mode === 'fail-open' ? { kind: 'open' } : { kind: 'closed' };
    }
  }

  /** A `peek`, `refund` or `reset`: the timeout, and a failure reported and rethrown. */
  async function bounded<T>(
    store: RateLimitStore,
    operation: Exclude<StoreOperation, 'consume'>,
    work: () => Promise<T> | T,
  ): Promise<T> {
    try {
      return await withTimeout(work(), timeoutMs);
    } catch (err) {
      reportFailure(store, operation, err);
      throw new BulwarkError('store_unavailable', `The rate-limit store failed during ${operation}.`, {
        cause: err,
      });
    }
  }

  return { consume, bounded };
}
