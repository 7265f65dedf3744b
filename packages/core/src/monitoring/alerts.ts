import { ConfigError } from '../errors.js';
import { type EventSink, emitEvent, type SecurityEvent } from '../events.js';

/** What an alert hook receives: the event that alerts (a lock, a spike, a token reuse). */
export type AlertHook = (event: SecurityEvent) => void | Promise<void>;

/** The events that alert by default: a spike, a lock, a spent refresh token presented again. */
export const DEFAULT_ALERT_TYPES = [
  'alert',
  'lockout',
  'token.reuse_detected',
] as const satisfies readonly SecurityEvent['type'][];

/**
 * A sink that hands the events of `types` to `hook` (a webhook, a pager) and ignores the
 * rest. The hook runs detached: a slow or failing hook never delays or breaks a request
 * (its rejection is swallowed; log inside the hook if you need to).
 *
 * @example
 * ```ts
 * const toWebhook = alertHook(DEFAULT_ALERT_TYPES, async (event) => {
 *   await fetch(process.env.ALERT_WEBHOOK_URL as string, {
 *     method: 'POST',
 *     headers: { 'content-type': 'application/json' },
 *     body: JSON.stringify(ecsDocument(event)),
 *     signal: AbortSignal.timeout(5000),
 *   });
 * });
 * ```
 */
export function alertHook(types: readonly SecurityEvent['type'][], hook: AlertHook): EventSink {
  if (!Array.isArray(types) || types.length === 0)
    throw new ConfigError('types', 'expected a non-empty list of event types');
  if (typeof hook !== 'function') throw new ConfigError('hook', 'expected a function');
  const wanted = new Set<string>(types);
  return (event) => {
    if (!wanted.has(event.type)) return;
    try {
      const pending = hook(event);
      if (pending !== undefined && typeof pending.then === 'function') pending.then(undefined, () => undefined);
    } catch {
      // An alert that cannot be delivered must not become the request's error.
    }
  };
}

/**
 * One sink feeding several, each guarded by {@link emitEvent}: one that throws does not
 * keep the event from the others.
 *
 * @example
 * ```ts
 * declare const detector: SpikeDetector;
 * declare function page(event: SecurityEvent): void;
 * const onEvent = teeSink(ecsSink(), detector.sink, alertHook(DEFAULT_ALERT_TYPES, page));
 * ```
 */
export function teeSink(...sinks: readonly EventSink[]): EventSink {
  if (sinks.some((sink) => typeof sink !== 'function')) throw new ConfigError('sinks', 'expected functions');
  return (event) => {
    for (const sink of sinks) emitEvent(sink, event);
  };
}
