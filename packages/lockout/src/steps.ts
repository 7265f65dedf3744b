// The rules that turn a scope's state into an answer, as pure functions over numbers. The
// memory store runs them; the Redis scripts (packages/redis/src/lockout/lua.ts) are their
// line-by-line twin, and both pass one conformance suite.
import type { ScopeRule } from './port.js';

/**
 * One scope's record. `epoch`: on an account, when it was last cleared (epoch ms, made
 * strictly increasing); on a pair, the account's epoch when the pair was written. A pair
 * older than its account's epoch was written before a clear and counts as empty. Being a
 * time, an epoch keeps increasing even after an account's record expired.
 */
export interface ScopeState {
  readonly count: number;
  readonly windowEnd: number;
  readonly level: number;
  readonly lockedUntil: number;
  /** Until when the level is remembered (a lock's end plus `maxLockMs`). */
  readonly levelUntil: number;
  readonly epoch: number;
}

export const EMPTY_STATE: ScopeState = Object.freeze({
  count: 0,
  windowEnd: 0,
  level: 0,
  lockedUntil: 0,
  levelUntil: 0,
  epoch: 0,
});

/** The state as of `now`: an ended window counts nothing, a forgotten level is 0. */
export function currentState(state: ScopeState, now: number): ScopeState {
  const windowOver = state.windowEnd <= now;
  const levelOver = state.levelUntil <= now;
  if (!windowOver && !levelOver) return state;
  return {
    count: windowOver ? 0 : state.count,
    windowEnd: windowOver ? 0 : state.windowEnd,
    level: levelOver ? 0 : state.level,
    lockedUntil: levelOver ? 0 : state.lockedUntil,
    levelUntil: levelOver ? 0 : state.levelUntil,
    epoch: state.epoch,
  };
}

/** A lock of `level` (1 = first): `lockMs` doubled per earlier lock, at most `maxLockMs`. */
export function lockDuration(rule: ScopeRule, level: number): number {
  // 2^(level-1) past 2^40 overflows nothing but is far past any cap: stop doubling there.
  const factor = 2 ** Math.min(level - 1, 40);
  return Math.min(rule.lockMs * factor, rule.maxLockMs);
}

export interface CountedStep {
  readonly next: ScopeState;
  /** The failures counted in the window, this attempt included (the threshold when it locked). */
  readonly counted: number;
  /** The level of the lock this attempt set, or 0. */
  readonly engaged: number;
}

/** Counts one attempt on an unlocked scope (the caller checked `lockedUntil <= now`). */
export function countAttempt(state: ScopeState, rule: ScopeRule, now: number): CountedStep {
  const count = state.count + 1;
  const windowEnd = state.count === 0 ? now + rule.windowMs : state.windowEnd;
  if (count < rule.attempts) {
    return { next: { ...state, count, windowEnd }, counted: count, engaged: 0 };
  }
  // The threshold: lock now, and the next window starts after the lock, from zero.
  const level = state.level + 1;
  const lockedUntil = now + lockDuration(rule, level);
  return {
    next: { count: 0, windowEnd: 0, level, lockedUntil, levelUntil: lockedUntil + rule.maxLockMs, epoch: state.epoch },
    counted: count,
    engaged: level,
  };
}

export interface GivenBackStep {
  readonly next: ScopeState;
  readonly lifted: boolean;
}

/**
 * Gives a succeeded attempt back to an account or IP scope. A lock it set (`engaged`, its
 * level) is lifted while it is still the scope's latest lock: the failures before it stay
 * counted (one short of the threshold, in a window starting now) and the level drops back.
 */
export function giveBack(state: ScopeState, rule: ScopeRule, engaged: number, now: number): GivenBackStep {
  if (engaged > 0 && state.level === engaged && state.lockedUntil > now) {
    const level = engaged - 1;
    return {
      next: {
        count: rule.attempts - 1,
        windowEnd: rule.attempts > 1 ? now + rule.windowMs : 0,
        level,
        lockedUntil: 0,
        levelUntil: level > 0 ? state.levelUntil : 0,
        epoch: state.epoch,
      },
      lifted: true,
    };
  }
  if (state.count === 0) return { next: state, lifted: false };
  const count = state.count - 1;
  return { next: { ...state, count, windowEnd: count === 0 ? 0 : state.windowEnd }, lifted: false };
}

/** How long a record must live (ms) to keep what it says; 0: it says nothing any more. */
export function lifetime(state: ScopeState, now: number): number {
  return Math.max(0, state.windowEnd - now, state.lockedUntil - now, state.levelUntil - now);
}

/**
 * How long an account's clear marker must outlive its clear: as long as any pair record
 * written before it can live (a window, a lock and the level's memory).
 */
export function clearHorizon(pair: ScopeRule): number {
  return pair.windowMs + 2 * pair.maxLockMs;
}

/** How long an account's record must live: its own lifetime, and its clear marker's. */
export function accountLifetime(state: ScopeState, pair: ScopeRule, now: number): number {
  const marker = state.epoch > 0 ? state.epoch + clearHorizon(pair) - now : 0;
  return Math.max(lifetime(state, now), marker);
}

/** The epoch of a clear at `now`: strictly after the one before. */
export function nextEpoch(state: ScopeState, now: number): number {
  return Math.max(now, state.epoch + 1);
}
