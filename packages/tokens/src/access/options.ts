import { type Clock, ConfigError } from '@bulwark/core';

/** A clock as a function of epoch ms or as core's `Clock`; both are accepted everywhere in this package. */
export type ClockOption = Clock | (() => number);

/** The `now()` of a clock option; the system clock when none is given. */
export function clockOption(clock: unknown, option = 'clock'): () => number {
  if (clock === undefined) return Date.now;
  if (typeof clock === 'function') return clock as () => number;
  if (typeof clock === 'object' && clock !== null && typeof (clock as Clock).now === 'function') {
    const source = clock as Clock;
    return () => source.now();
  }
  throw new ConfigError(option, 'expected a function answering epoch ms, or a Clock (an object with now())');
}

/** A non-empty string option. */
export function textOption(value: unknown, option: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new ConfigError(option, 'expected a non-empty string');
  return value;
}

/** A positive integer option within bounds, or its default. */
export function integerOption(value: unknown, option: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(option, `expected an integer from ${min} to ${max}`);
  }
  return value;
}
