import { type AuthzDeniedEvent, type Clock, ConfigError, type EventSink, emitEvent, systemClock } from '@bulwark/core';

/**
 * Where a check ran, for its event: the request's method, path and client IP, as a
 * handler knows them (any `RequestView` fits). Optional: an event without it still says what
 * was refused.
 */
export interface RequestWhere {
  readonly method?: string | undefined;
  readonly path?: string | undefined;
  readonly clientIp?: string | undefined;
}

/** The event options every authz factory takes. */
export interface AuthzEventOptions {
  /** Where `authz.denied` events go. */
  readonly onEvent?: EventSink | undefined;
  /** The clock of the events' `at`. Default: the system clock. */
  readonly clock?: Clock | undefined;
}

export interface CheckedEvents {
  readonly onEvent: EventSink | undefined;
  readonly clock: Clock;
}

export function checkEventOptions(options: AuthzEventOptions): CheckedEvents {
  const { onEvent, clock } = options;
  if (onEvent !== undefined && typeof onEvent !== 'function') throw new ConfigError('onEvent', 'expected a function');
  if (clock !== undefined && (typeof clock !== 'object' || clock === null || typeof clock.now !== 'function')) {
    throw new ConfigError('clock', 'expected a Clock (an object with now())');
  }
  return { onEvent, clock: clock ?? systemClock };
}

export function checkName(value: unknown, at: string): string | undefined {
  if (value === undefined) return undefined;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing them is the point
  if (typeof value !== 'string' || value.length === 0 || value.length > 100 || /[\u0000-\u001f\u007f]/.test(value)) {
    throw new ConfigError(at, 'expected 1 to 100 characters without control characters');
  }
  return value;
}

type Denial = Omit<AuthzDeniedEvent, 'type' | 'at' | 'method' | 'path' | 'clientIp'>;

/** Emits `authz.denied`; never carries the subject, an id or a field value. */
export function emitDenied(events: CheckedEvents, denial: Denial, where: RequestWhere | undefined): void {
  if (events.onEvent === undefined) return;
  emitEvent(events.onEvent, {
    type: 'authz.denied',
    at: events.clock.now(),
    ...denial,
    ...(where?.method === undefined ? {} : { method: where.method }),
    ...(where?.path === undefined ? {} : { path: where.path }),
    ...(where?.clientIp === undefined ? {} : { clientIp: where.clientIp }),
  });
}
