import {
  BulwarkError,
  ConfigError,
  checkOptions,
  type DenyDecision,
  type EventSink,
  emitEvent,
  type LockoutScope,
} from '@bulwark/core';
import { lockedDecision, retryAfterSeconds } from './answers.js';
import { accountTaggerSync, clientIpKeyer } from './identity.js';
import { memoryLockoutStore } from './memory-store.js';
import type { EngagedLock, LockoutRules, LockoutStatus, LockoutStore, LockoutTarget } from './port.js';
import { compileRules, type ScopeLimitOptions } from './rules.js';

export interface LockoutOptions {
  /** Where counts live. Default a {@link memoryLockoutStore} (one process); `@bulwark/redis`'s `redisLockoutStore` shares them. */
  readonly store?: LockoutStore | undefined;
  /** One account from one client IP. Default 5 failures in 15m lock for 15m, doubling, at most 24h. */
  readonly pair?: ScopeLimitOptions | undefined;
  /** One account from every client (the distributed-guessing ceiling). Default 50 in 15m. */
  readonly account?: ScopeLimitOptions | undefined;
  /** One client IP against every account (credential stuffing). Default 100 in 15m. */
  readonly ip?: ScopeLimitOptions | undefined;
  /**
   * A secret (at least 32 bytes) that keys the account tags: HMAC-SHA-256 instead of
   * SHA-256, so the tags in the store and in events cannot be matched against a list of
   * known e-mail addresses. Every process sharing a store must use the same one.
   */
  readonly accountKey?: string | Uint8Array | undefined;
  /** IPv6 clients are counted by this prefix (one client owns a /64). Default 64. */
  readonly ipv6Prefix?: number | undefined;
  /** `login.failed`, `lockout`, `lockout.cleared`. */
  readonly onEvent?: EventSink | undefined;
}

export const LOCKOUT_OPTION_KEYS = ['store', 'pair', 'account', 'ip', 'accountKey', 'ipv6Prefix', 'onEvent'] as const;

/** Who is signing in: the identifier typed (known or not) and the client IP as resolved by trust-proxy. */
export interface SignInAttempt {
  readonly account: string;
  readonly ip: string;
  /** Copied into events. */
  readonly method?: string | undefined;
  readonly path?: string | undefined;
}

/** A reserved attempt: check the password now, then settle it exactly once. */
export interface AllowedAttempt {
  readonly allowed: true;
  /**
   * `true` only when the account exists and the password is right; `false` otherwise
   * (unknown account, wrong password). A failure costs no store call: the attempt was
   * counted when it was reserved. An attempt never settled stays counted as a failure.
   */
  settle(success: boolean): Promise<void>;
  /**
   * The password was never checked (the hasher refused at capacity, `service_busy`): the
   * attempt is given back on all three scopes, and a lock it set is lifted, while the
   * pair's earlier failures stay. Without it a sign-in flood would lock out a user whose
   * correct password was refused five times as busy (a victim denial of service). Settles
   * the attempt: a later `settle` or `abandon` does nothing. Call it only when no password
   * was compared, or a guess would go uncounted. Emits nothing.
   */
  abandon(): Promise<void>;
}

/** Refused while locked: no password may be checked, and nothing was counted. */
export interface LockedAttempt {
  readonly allowed: false;
  /** Seconds until the lock ends (at least 1): the `Retry-After`. */
  readonly retryAfter: number;
  /** The 429 `login_locked` answer, with `Retry-After`. */
  readonly decision: DenyDecision;
}

export type LoginAttempt = AllowedAttempt | LockedAttempt;

export interface Lockout {
  /** Counts an attempt before its password is checked (atomically), or refuses it while locked. */
  reserve(attempt: SignInAttempt): Promise<LoginAttempt>;
  /**
   * Forgets failures and lifts locks: an account's (its own and every pair of it: call it
   * after a password reset), a client IP's, or both. Emits `lockout.cleared`.
   */
  unlock(target: { readonly account?: string | undefined; readonly ip?: string | undefined }): Promise<void>;
  /** The counts and locks an attempt would meet now (for an admin page; read-only). */
  status(attempt: SignInAttempt): Promise<LockoutStatus>;
  readonly rules: LockoutRules;
}

/**
 * Sign-in lockout (NIST AC-7). Each attempt is counted per account identifier (known or
 * not), per client IP and per account and IP before the password is checked, so a burst of
 * parallel guesses cannot pass the threshold; a success gives it back and resets the pair.
 * The answer never depends on whether the account exists: verify unknown accounts against
 * a dummy hash and settle them `false`, like a wrong password.
 *
 * @example
 * ```ts
 * import type { Decision } from '@bulwark/core';
 * import type { PasswordHasher } from '@bulwark/passwords';
 * declare const users: Map<string, { hash: string }>;
 * declare const hasher: PasswordHasher;
 * declare function issueTokens(user: { hash: string }): Promise<Decision>;
 * declare function invalidCredentials(): Decision;
 * const signIns = lockout({ onEvent: jsonLinesSink() });
 *
 * async function login(email: string, password: string, clientIp: string) {
 *   const attempt = await signIns.reserve({ account: email, ip: clientIp });
 *   if (!attempt.allowed) return attempt.decision; // 429 login_locked, Retry-After
 *   const user = users.get(email);
 *   // Unknown account: the same work against a dummy hash, so time tells nothing.
 *   const ok = user === undefined ? (await hasher.verifyDummy(password), false) : await hasher.verify(user.hash, password);
 *   await attempt.settle(ok);
 *   return ok && user !== undefined ? issueTokens(user) : invalidCredentials();
 * }
 * ```
 */
export function lockout(options: LockoutOptions = {}): Lockout {
  checkOptions(options, LOCKOUT_OPTION_KEYS);
  const rules = compileRules(options);
  const store = options.store ?? memoryLockoutStore();
  if (typeof store?.reserve !== 'function' || typeof store.refund !== 'function' || typeof store.clear !== 'function') {
    throw new ConfigError('store', 'expected a LockoutStore (reserve, refund, clear, inspect)');
  }
  if (options.onEvent !== undefined && typeof options.onEvent !== 'function') {
    throw new ConfigError('onEvent', 'expected a function');
  }
  const tagOf = accountTaggerSync(options.accountKey);
  const ipOf = clientIpKeyer(options.ipv6Prefix);
  const onEvent = options.onEvent;

  const targetOf = (attempt: SignInAttempt): LockoutTarget => {
    if (typeof attempt?.account !== 'string')
      throw new BulwarkError('invalid_argument', 'lockout: account must be a string');
    return { account: tagOf(attempt.account), ip: ipOf(attempt.ip) };
  };
  const where = (attempt: SignInAttempt) => ({
    ...(attempt.method === undefined ? {} : { method: attempt.method }),
    ...(attempt.path === undefined ? {} : { path: attempt.path }),
    clientIp: attempt.ip,
  });

  function emitLocks(target: LockoutTarget, attempt: SignInAttempt, engaged: readonly EngagedLock[], at: number) {
    for (const lock of engaged) {
      emitEvent(onEvent, {
        type: 'lockout',
        at,
        ...where(attempt),
        scope: lock.scope,
        ...(lock.scope === 'ip' ? {} : { account: target.account }),
        durationMs: lock.durationMs,
        attempts: rules[lock.scope].attempts,
        lockLevel: lock.level,
        until: lock.until,
      });
    }
  }

  return {
    rules,
    async reserve(attempt) {
      const target = targetOf(attempt);
      const answer = await store.reserve(target, rules);
      if (!answer.allowed) {
        const retryAfter = retryAfterSeconds(answer.until, answer.now);
        emitEvent(onEvent, {
          type: 'login.failed',
          at: answer.now,
          ...where(attempt),
          account: target.account,
          attempts: 0,
          reason: 'locked',
        });
        return { allowed: false, retryAfter, decision: lockedDecision(retryAfter) };
      }
      let settled = false;
      return {
        allowed: true,
        async settle(success) {
          if (settled) return;
          settled = true;
          if (success !== true) {
            emitEvent(onEvent, {
              type: 'login.failed',
              at: answer.now,
              ...where(attempt),
              account: target.account,
              attempts: answer.counts.pair,
              reason: 'invalid_credentials',
            });
            emitLocks(target, attempt, answer.engaged, answer.now);
            return;
          }
          const refund = await store.refund(target, rules, answer.engaged);
          if (refund.lifted.length > 0) clearedEvent(refund.now, attempt, target, 'success', refund.lifted);
        },
        async abandon() {
          if (settled) return;
          settled = true;
          // No event: the failure was never reported, nor a lock the attempt set.
          await store.refund(target, rules, answer.engaged, 'unchecked');
        },
      };
    },
    async unlock(target) {
      if (target?.account === undefined && target?.ip === undefined) {
        throw new BulwarkError('invalid_argument', 'lockout.unlock: expected an account, an ip or both');
      }
      const cleared = {
        account: target.account === undefined ? undefined : tagOf(target.account),
        ip: target.ip === undefined ? undefined : ipOf(target.ip),
      };
      const { now } = await store.clear(cleared, rules);
      const scopes: LockoutScope[] = [];
      if (cleared.account !== undefined) scopes.push('account', 'pair');
      if (cleared.ip !== undefined) scopes.push('ip');
      emitEvent(onEvent, {
        type: 'lockout.cleared',
        at: now,
        ...(target.ip === undefined ? {} : { clientIp: target.ip }),
        ...(cleared.account === undefined ? {} : { account: cleared.account }),
        reason: 'reset',
        scopes,
      });
    },
    async status(attempt) {
      return store.inspect(targetOf(attempt), rules);
    },
  };

  function clearedEvent(
    at: number,
    attempt: SignInAttempt,
    target: LockoutTarget,
    reason: 'reset' | 'success',
    scopes: readonly LockoutScope[],
  ) {
    emitEvent(onEvent, { type: 'lockout.cleared', at, ...where(attempt), account: target.account, reason, scopes });
  }
}
