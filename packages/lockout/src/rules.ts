import { ConfigError, checkOptions, type Duration, parseDuration } from '@bulwark/core';
import type { LockoutRules, ScopeRule } from './port.js';

/** One scope's thresholds. */
export interface ScopeLimitOptions {
  /** Failures within `within` that lock the scope. */
  readonly attempts?: number | undefined;
  /** The counting window, from the scope's first failure. */
  readonly within?: Duration | undefined;
  /** The first lock's length; each further lock doubles it. */
  readonly lockFor?: Duration | undefined;
  /** The longest lock; a lock's level is also forgotten this long after it ends. */
  readonly maxLockFor?: Duration | undefined;
}

export const SCOPE_LIMIT_KEYS = ['attempts', 'within', 'lockFor', 'maxLockFor'] as const;

const MINUTE = 60_000;
const DAY = 86_400_000;

/** DEMO.md's numbers (NIST AC-7): 5 per pair, 50 per account, 100 per IP, in 15 minutes; locks of 15 minutes doubling to 24 hours. */
export const DEFAULT_RULES: LockoutRules = Object.freeze({
  pair: Object.freeze({ attempts: 5, windowMs: 15 * MINUTE, lockMs: 15 * MINUTE, maxLockMs: DAY }),
  account: Object.freeze({ attempts: 50, windowMs: 15 * MINUTE, lockMs: 15 * MINUTE, maxLockMs: DAY }),
  ip: Object.freeze({ attempts: 100, windowMs: 15 * MINUTE, lockMs: 15 * MINUTE, maxLockMs: DAY }),
});

const MAX_ATTEMPTS = 1_000_000;
const MIN_DURATION = 1000;
/** A year: past it, a "lock" is a ban, which is an account decision and not a counter's. */
const MAX_DURATION = 365 * DAY;

function durationOf(value: Duration | undefined, fallback: number, option: string): number {
  if (value === undefined) return fallback;
  const ms = parseDuration(value, option);
  if (ms < MIN_DURATION || ms > MAX_DURATION) throw new ConfigError(option, 'expected from 1s to 365d');
  return ms;
}

function scopeRule(options: ScopeLimitOptions | undefined, fallback: ScopeRule, at: string): ScopeRule {
  if (options === undefined) return fallback;
  checkOptions(options, SCOPE_LIMIT_KEYS, at);
  const attempts = options.attempts ?? fallback.attempts;
  if (!Number.isSafeInteger(attempts) || attempts < 1 || attempts > MAX_ATTEMPTS) {
    throw new ConfigError(`${at}.attempts`, `expected an integer from 1 to ${MAX_ATTEMPTS}`);
  }
  const windowMs = durationOf(options.within, fallback.windowMs, `${at}.within`);
  const lockMs = durationOf(options.lockFor, fallback.lockMs, `${at}.lockFor`);
  const maxLockMs = durationOf(
    options.maxLockFor,
    options.lockFor === undefined ? fallback.maxLockMs : Math.max(fallback.maxLockMs, lockMs),
    `${at}.maxLockFor`,
  );
  if (maxLockMs < lockMs) throw new ConfigError(`${at}.maxLockFor`, `must be at least ${at}.lockFor`);
  return Object.freeze({ attempts, windowMs, lockMs, maxLockMs });
}

/**
 * The three scopes' rules, validated. The account-wide and IP-wide thresholds may not be
 * below the pair's: the account ceiling is what keeps one client from locking a victim
 * out for everyone, and an IP ceiling below the pair's would make the pair's moot.
 */
export function compileRules(options: {
  readonly pair?: ScopeLimitOptions | undefined;
  readonly account?: ScopeLimitOptions | undefined;
  readonly ip?: ScopeLimitOptions | undefined;
}): LockoutRules {
  const pair = scopeRule(options.pair, DEFAULT_RULES.pair, 'pair');
  const account = scopeRule(options.account, DEFAULT_RULES.account, 'account');
  const ip = scopeRule(options.ip, DEFAULT_RULES.ip, 'ip');
  if (account.attempts < pair.attempts) {
    throw new ConfigError(
      'account.attempts',
      `must be at least pair.attempts (${pair.attempts}): one client would lock the account for everyone`,
    );
  }
  if (ip.attempts < pair.attempts) {
    throw new ConfigError('ip.attempts', `must be at least pair.attempts (${pair.attempts})`);
  }
  return Object.freeze({ pair, account, ip });
}
