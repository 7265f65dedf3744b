import type { LockoutScope } from '@bulwark/core';

/** One scope's rule, compiled to milliseconds (see `LockoutOptions`). */
export interface ScopeRule {
  /** Failures in one window that lock the scope. */
  readonly attempts: number;
  /** The counting window: it starts at a scope's first failure and ends `windowMs` later. */
  readonly windowMs: number;
  /** The first lock's length; each further lock doubles it. */
  readonly lockMs: number;
  /** The longest a lock lasts; also how long after a lock ends its level is remembered. */
  readonly maxLockMs: number;
}

/** The rules of the three scopes of one lockout. */
export interface LockoutRules {
  readonly pair: ScopeRule;
  readonly account: ScopeRule;
  readonly ip: ScopeRule;
}

/** Whose attempt it is: the minimised account tag and the client IP's key (both opaque to a store). */
export interface LockoutTarget {
  readonly account: string;
  readonly ip: string;
}

/** A lock an attempt set when it was reserved: it took the scope to its threshold. */
export interface EngagedLock {
  readonly scope: LockoutScope;
  /** 1 for a first lock, 2 for a doubled one, ... */
  readonly level: number;
  readonly until: number;
  readonly durationMs: number;
}

export type ReserveAnswer =
  | {
      readonly allowed: true;
      /** The store's time (epoch ms). */
      readonly now: number;
      /** The failures counted in each scope's window, this attempt included. */
      readonly counts: { readonly pair: number; readonly account: number; readonly ip: number };
      /** The locks this attempt set (it was the last one its scopes allow). */
      readonly engaged: readonly EngagedLock[];
    }
  | {
      readonly allowed: false;
      readonly now: number;
      /** The lock that ends last, which the attempt waits for. */
      readonly scope: LockoutScope;
      readonly until: number;
    };

/**
 * Why a reserved attempt is given back: `success` (the right password: the pair's failures
 * are forgiven) or `unchecked` (no password was checked: only this attempt is undone).
 */
export type RefundKind = 'success' | 'unchecked';

export interface RefundAnswer {
  readonly now: number;
  /** Locks the refund lifted: the pair's (a success resets it), or a lock this attempt had set. */
  readonly lifted: readonly LockoutScope[];
}

/** One scope as a store holds it now. */
export interface ScopeStatus {
  readonly count: number;
  readonly level: number;
  /** Epoch ms; 0 or past: not locked. */
  readonly lockedUntil: number;
}

export interface LockoutStatus {
  readonly now: number;
  readonly pair: ScopeStatus;
  readonly account: ScopeStatus;
  readonly ip: ScopeStatus;
}

/** The store's time of a clear. */
export interface ClearAnswer {
  readonly now: number;
}

/** What `clear` forgets: an account (its own counter and every pair of it), a client IP's counter, or both. */
export interface ClearTarget {
  readonly account?: string | undefined;
  readonly ip?: string | undefined;
}

/**
 * The storage port of `@bulwark/lockout`: the few atomic operations sign-in accounting
 * needs. Every operation is atomic over the scopes it touches, and a store keeps time
 * itself (its clock, or Redis `TIME`) so that every process agrees on windows and locks.
 * `@bulwark/testkit`'s `runLockoutStoreConformance` checks an implementation.
 *
 * - `reserve`: all or nothing over the three scopes. When any is locked: `allowed: false`,
 *   and nothing is counted. Otherwise each scope counts the attempt; a scope that reaches
 *   its threshold is locked at once (its count restarts), and the answer names the locks
 *   it set.
 * - `refund`: a reserved attempt succeeded (`kind` `success`, the default). The pair is
 *   reset (count, level and lock); the account and IP counts give the attempt back, and a
 *   lock the attempt set (`engaged`) is lifted while it is still the scope's latest. With
 *   `kind` `unchecked` (the password was never checked: the hasher was at capacity), the
 *   pair too only gives the attempt back, keeping its earlier failures.
 * - `clear`: forgets an account (its counter and every pair of it) and/or an IP's counter.
 * - `inspect`: read-only; the scopes as `reserve` would see them now.
 */
export interface LockoutStore {
  reserve(target: LockoutTarget, rules: LockoutRules): ReserveAnswer | Promise<ReserveAnswer>;
  refund(
    target: LockoutTarget,
    rules: LockoutRules,
    engaged: readonly EngagedLock[],
    kind?: RefundKind,
  ): RefundAnswer | Promise<RefundAnswer>;
  clear(target: ClearTarget, rules: LockoutRules): ClearAnswer | Promise<ClearAnswer>;
  inspect(target: LockoutTarget, rules: LockoutRules): LockoutStatus | Promise<LockoutStatus>;
}
