import type { ManualClock, SecurityEvent } from '@bulwark/core';
import { type Lockout, type LockoutOptions, type LockoutStore, type LockoutTarget, lockout } from '@bulwark/lockout';
import { expect } from 'vitest';

/** A lockout store under test, with what the suite may do to it beyond the port. */
export interface LockoutStoreSubject {
  readonly store: LockoutStore;
  /** The clock the store keeps time by (made with it), which the suite moves. */
  readonly clock: ManualClock;
  close(): Promise<void>;
  /**
   * Reserves `attempts` sign-ins of `target` under `options`' rules, all at once, from a
   * separate OS process on the same namespace (with the store's own time, Redis `TIME`),
   * settling none of them (failures); resolves with how many were allowed.
   */
  failFromOtherProcess?(target: LockoutTarget, options: LockoutOptions, attempts: number): Promise<number>;
}

let sequence = 0;
/** An identifier no other case uses, with characters a store must keep as they are. */
export const uniqueAccount = (what = 'user') =>
  `${what}-${process.pid}-${Date.now().toString(36)}-${++sequence}-{ü}:x@example.com`;
export const uniqueIp = () => `198.51.${(sequence >> 8) & 255}.${++sequence & 255}`;
export const MINUTE = 60_000;

export async function withSubject(
  fresh: () => Promise<LockoutStoreSubject>,
  body: (subject: LockoutStoreSubject) => Promise<void>,
): Promise<void> {
  const subject = await fresh();
  try {
    // Near the real time, so a second process (on the store's own clock) agrees on windows.
    subject.clock.set(Date.now());
    await body(subject);
  } finally {
    await subject.close();
  }
}

/** A lockout on the subject's store, its events collected. */
export function lockoutOn(
  subject: LockoutStoreSubject,
  options: LockoutOptions = {},
): { signIns: Lockout; events: SecurityEvent[] } {
  const events: SecurityEvent[] = [];
  const signIns = lockout({ ...options, store: subject.store, onEvent: (event) => events.push(event) });
  return { signIns, events };
}

/** Reserves and settles one attempt; answers whether it reached the password check. */
export async function tryOnce(signIns: Lockout, account: string, ip: string, success = false): Promise<boolean> {
  const attempt = await signIns.reserve({ account, ip });
  if (!attempt.allowed) return false;
  await attempt.settle(success);
  return true;
}

export async function failTimes(signIns: Lockout, account: string, ip: string, times: number): Promise<void> {
  for (let i = 0; i < times; i++) expect(await tryOnce(signIns, account, ip)).toBe(true);
}

/** The locked answer's retryAfter (seconds), failing when the attempt was let through. */
export async function retryAfterOf(signIns: Lockout, account: string, ip: string): Promise<number> {
  const attempt = await signIns.reserve({ account, ip });
  if (attempt.allowed) throw new Error('expected the attempt to be refused while locked');
  expect(attempt.decision.status).toBe(429);
  expect(attempt.decision.code).toBe('login_locked');
  expect(attempt.decision.headers).toContainEqual(['retry-after', String(attempt.retryAfter)]);
  return attempt.retryAfter;
}
