import { ConfigError, checkOptions } from '@bulwark/core';
import { isCommonPassword } from './common-passwords.js';
import { MAX_PASSWORD_LENGTH } from './hasher.js';

/** Options of {@link passwordPolicy}. */
export interface PasswordPolicyOptions {
  /** Fewest characters (Unicode code points after NFKC), default 12; below 8 is a ConfigError (NIST SP 800-63B). */
  readonly minLength?: number | undefined;
  /** Most characters, default 128; below 64 is a ConfigError (SP 800-63B: allow at least 64), at most 1024. */
  readonly maxLength?: number | undefined;
  /**
   * More words to refuse, on top of the common-password list: the service's name, its
   * domain, context-specific words (SP 800-63B §3.1.1.2). Compared after NFKC, ignoring case.
   */
  readonly blocked?: readonly string[] | undefined;
}

/** The outcome of {@link PasswordPolicy.check}. */
export type PasswordCheck =
  | { readonly ok: true; readonly normalized: string }
  | { readonly ok: false; readonly reason: 'too_short' | 'too_long' | 'common' };

/** What {@link passwordPolicy} returns. */
export interface PasswordPolicy {
  /** Checks a new password; on success `normalized` is its NFKC form (what the hasher hashes). */
  check(password: string): PasswordCheck;
  readonly minLength: number;
  readonly maxLength: number;
}

const TOO_SHORT: PasswordCheck = Object.freeze({ ok: false, reason: 'too_short' });
const TOO_LONG: PasswordCheck = Object.freeze({ ok: false, reason: 'too_long' });
const COMMON: PasswordCheck = Object.freeze({ ok: false, reason: 'common' });

function countCodePoints(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/**
 * A password policy after NIST SP 800-63B: a minimum and a maximum length counted in
 * Unicode code points after NFKC normalisation, a check against a list of common
 * passwords, and nothing else: no composition rules (they make passwords weaker and
 * harder to remember) and no forced rotation. Check new passwords (sign-up, change,
 * reset) with it, never existing ones at login.
 *
 * @example
 * ```ts
 * const policy = passwordPolicy({ minLength: 12, blocked: ['bulwark', 'notes-api'] });
 * const result = policy.check('correct horse battery staple');
 * if (!result.ok) throw new Error(`password refused: ${result.reason}`); // too_short | too_long | common
 * // result.normalized is what to hash (the hasher normalises the same way).
 * ```
 */
export function passwordPolicy(options: PasswordPolicyOptions = {}): PasswordPolicy {
  checkOptions(options, ['minLength', 'maxLength', 'blocked']);
  const minLength = options.minLength ?? 12;
  const maxLength = options.maxLength ?? 128;
  if (!Number.isInteger(minLength) || minLength < 8)
    throw new ConfigError('minLength', 'must be an integer of at least 8 (NIST SP 800-63B)');
  if (!Number.isInteger(maxLength) || maxLength < 64)
    throw new ConfigError(
      'maxLength',
      'must be an integer of at least 64 (NIST SP 800-63B: allow at least 64 characters)',
    );
  if (maxLength > 1024) throw new ConfigError('maxLength', 'must be at most 1024');
  if (minLength > maxLength) throw new ConfigError('minLength', 'must not exceed maxLength');
  if (
    options.blocked !== undefined &&
    (!Array.isArray(options.blocked) || options.blocked.some((w) => typeof w !== 'string'))
  )
    throw new ConfigError('blocked', 'must be an array of strings');
  const blocked = new Set((options.blocked ?? []).map((word) => word.normalize('NFKC').toLowerCase()));

  return {
    minLength,
    maxLength,
    check(password: string): PasswordCheck {
      if (typeof password !== 'string') return TOO_SHORT;
      // Refused before normalising, so an absurd input costs nothing.
      if (password.length > MAX_PASSWORD_LENGTH) return TOO_LONG;
      const normalized = password.normalize('NFKC');
      const length = countCodePoints(normalized);
      if (length < minLength) return TOO_SHORT;
      if (length > maxLength) return TOO_LONG;
      if (isCommonPassword(normalized) || blocked.has(normalized.toLowerCase())) return COMMON;
      return { ok: true, normalized };
    },
  };
}
