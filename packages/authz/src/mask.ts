import { ConfigError } from '@bulwark/core';

/** How a field is shown to a principal who may not see it: a function of its string value. */
export interface FieldMask {
  readonly kind: 'mask';
  /** The masked value; a value that is not a string is dropped instead (it cannot be masked safely). */
  readonly apply: (value: string) => string;
}

/**
 * A mask for a field rule's `otherwise`: the field is kept, its string value replaced by
 * `fn(value)`. A value that is not a string (a number, an object) is dropped rather than
 * passed to `fn`, so a mask never shows what it was not written for.
 *
 * @example
 * ```ts
 * readableFields({ email: { requires: 'users:read', otherwise: mask(maskEmail) } });
 * readableFields({ phone: { requires: 'users:read', otherwise: mask((p) => `***${p.slice(-2)}`) } });
 * ```
 */
export function mask(fn: (value: string) => string): FieldMask {
  if (typeof fn !== 'function') throw new ConfigError('mask', 'expected a function (value: string) => string');
  return Object.freeze({ kind: 'mask', apply: fn });
}

/**
 * `alice@example.com` -> `a***@example.com`: the first character of the local part (a
 * whole code point, never half a surrogate pair), three stars whatever the length, and the
 * domain after the last `@`. Enough to recognise one's own address, not to harvest any. No
 * `@`: `***`; an empty local part: `***@domain`.
 *
 * @example
 * ```ts
 * maskEmail('alice@example.com'); // 'a***@example.com'
 * ```
 */
export function maskEmail(email: string): string {
  if (typeof email !== 'string') return '***';
  const at = email.lastIndexOf('@');
  if (at < 0) return '***';
  const domain = email.slice(at);
  if (at === 0) return `***${domain}`;
  // codePointAt pairs a surrogate only with its partner, so `first` never reaches the `@`.
  const first = String.fromCodePoint(email.codePointAt(0) as number);
  return `${first}***${domain}`;
}
