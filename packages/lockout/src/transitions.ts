// An attempt over the three scopes, as a pure function of their states: what the memory
// store does under its one synchronous turn and the Redis script does in one EVAL.
import type { LockoutScope } from '@bulwark/core';
import type { EngagedLock, LockoutRules, RefundAnswer, RefundKind, ReserveAnswer, ScopeStatus } from './port.js';
import { countAttempt, currentState, EMPTY_STATE, giveBack, lockDuration, type ScopeState } from './steps.js';

export interface ScopeStates {
  readonly pair: ScopeState;
  readonly account: ScopeState;
  readonly ip: ScopeState;
}

export const SCOPES: readonly LockoutScope[] = ['pair', 'account', 'ip'];

/** The three states as of `now`, a pair written before its account's last clear read as empty. */
export function currentStates(stored: ScopeStates, now: number): ScopeStates {
  const account = currentState(stored.account, now);
  const pair = stored.pair.epoch < account.epoch ? EMPTY_STATE : currentState(stored.pair, now);
  return { pair, account, ip: currentState(stored.ip, now) };
}

export interface ReserveStep {
  readonly answer: ReserveAnswer;
  /** The states to store (absent: the attempt was refused and nothing changes). */
  readonly next?: ScopeStates;
}

/** Reserves one attempt: all three scopes count it, or (one is locked) none does. */
export function reserveStep(stored: ScopeStates, rules: LockoutRules, now: number): ReserveStep {
  const states = currentStates(stored, now);
  let lockedScope: LockoutScope | undefined;
  let until = 0;
  for (const scope of SCOPES) {
    const lockedUntil = states[scope].lockedUntil;
    if (lockedUntil > now && lockedUntil > until) {
      lockedScope = scope;
      until = lockedUntil;
    }
  }
  if (lockedScope !== undefined) return { answer: { allowed: false, now, scope: lockedScope, until } };
  const pair = countAttempt(states.pair, rules.pair, now);
  const account = countAttempt(states.account, rules.account, now);
  const ip = countAttempt(states.ip, rules.ip, now);
  const engaged: EngagedLock[] = [];
  for (const [scope, step] of [
    ['pair', pair],
    ['account', account],
    ['ip', ip],
  ] as const) {
    if (step.engaged > 0) {
      engaged.push({
        scope,
        level: step.engaged,
        until: step.next.lockedUntil,
        durationMs: lockDuration(rules[scope], step.engaged),
      });
    }
  }
  return {
    answer: {
      allowed: true,
      now,
      counts: { pair: pair.counted, account: account.counted, ip: ip.counted },
      engaged,
    },
    // The pair carries the epoch of the account it was counted under.
    next: { pair: { ...pair.next, epoch: states.account.epoch }, account: account.next, ip: ip.next },
  };
}

export interface RefundStep {
  readonly answer: RefundAnswer;
  /** The states to store; `pair: undefined`: the pair is deleted (a success resets it). */
  readonly next: { readonly pair: ScopeState | undefined; readonly account: ScopeState; readonly ip: ScopeState };
}

/**
 * Gives a reserved attempt back. A success (`kind` `success`): the pair reset, the account
 * and IP one attempt less. An attempt whose password was never checked (`unchecked`): all
 * three one attempt less (a lock the attempt set lifted), the pair's earlier failures kept.
 */
export function refundStep(
  stored: ScopeStates,
  rules: LockoutRules,
  engaged: readonly EngagedLock[],
  now: number,
  kind: RefundKind = 'success',
): RefundStep {
  const states = currentStates(stored, now);
  const levelOf = (scope: LockoutScope) => engaged.find((lock) => lock.scope === scope)?.level ?? 0;
  const account = giveBack(states.account, rules.account, levelOf('account'), now);
  const ip = giveBack(states.ip, rules.ip, levelOf('ip'), now);
  const lifted: LockoutScope[] = [];
  let pair: ScopeState | undefined;
  if (kind === 'unchecked') {
    const given = giveBack(states.pair, rules.pair, levelOf('pair'), now);
    if (given.lifted) lifted.push('pair');
    pair = given.next;
  } else if (states.pair.lockedUntil > now) {
    lifted.push('pair');
  }
  if (account.lifted) lifted.push('account');
  if (ip.lifted) lifted.push('ip');
  return { answer: { now, lifted }, next: { pair, account: account.next, ip: ip.next } };
}

/** A scope's state as `inspect` reports it. */
export function statusOf(state: ScopeState, now: number): ScopeStatus {
  return {
    count: state.count,
    level: state.level,
    lockedUntil: state.lockedUntil > now ? state.lockedUntil : 0,
  };
}
