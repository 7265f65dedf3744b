import { ConfigError } from './errors.js';

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;

/** A duration: milliseconds as a number, or a string such as `"500ms"`, `"15m"`, `"1h"`, `"7d"`. */
export type Duration = number | `${number}${keyof typeof UNIT_MS}`;

/**
 * Parses a duration to whole milliseconds, or throws a {@link ConfigError} naming `option`.
 * Negative, fractional-millisecond, non-finite and unit-less strings are refused rather than
 * guessed at.
 *
 * @example
 * ```ts
 * parseDuration('15m', 'window') // 900000
 * parseDuration(250, 'timeout')  // 250
 * ```
 */
export function parseDuration(value: unknown, option: string): number {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new ConfigError(option, `expected a non-negative integer number of milliseconds, got ${String(value)}`);
    }
    return value;
  }
  if (typeof value === 'string') {
    const match = DURATION.exec(value.trim());
    if (match) {
      const ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
      if (Number.isSafeInteger(ms)) return ms;
    }
    throw new ConfigError(
      option,
      `expected a duration such as "500ms", "15m", "1h" or "7d", got "${value.slice(0, 40)}"`,
    );
  }
  throw new ConfigError(option, `expected a duration (number of ms or a string such as "15m"), got ${typeof value}`);
}
