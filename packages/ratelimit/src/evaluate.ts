import { type Algorithm, type AlgorithmState, type Step, step } from './algorithms.js';
import type { ConsumeResult, LimitCheck, LimitOutcome } from './port.js';

/** What a store knows about one key. */
export interface KeyRecord {
  readonly state: AlgorithmState | undefined;
  /** Blocked until this time (ms); 0 when not blocked. */
  readonly blockedUntil: number;
}

/** What a store must write after a check, per key; `undefined` means leave it alone. */
export interface KeyWrite {
  readonly state?: AlgorithmState;
  readonly blockedUntil?: number;
  /** Keep the key at least this long from `now`. */
  readonly ttlMs: number;
}

/**
 * The all-or-nothing decision over several limits, shared by every store that evaluates
 * in JavaScript (the memory store; the Redis scripts are its Lua twin). A blocked key
 * refuses without consuming. If any limit refuses, no limit consumes, and the refusing
 * limits with a block start it, and the limits that would have allowed report their
 * state unconsumed. Plain loops: this runs on every request.
 */
export function decide(
  algorithm: Algorithm,
  checks: readonly LimitCheck[],
  records: readonly KeyRecord[],
  cost: number,
  now: number,
  commit: boolean,
): { result: ConsumeResult; writes: Array<KeyWrite | undefined> } {
  const n = checks.length;
  const steps: Step[] = new Array(n);
  const outcomes: LimitOutcome[] = new Array(n);
  let allowed = true;
  for (let i = 0; i < n; i++) {
    const check = checks[i] as LimitCheck;
    const record = records[i] as KeyRecord;
    const s = step(algorithm, record.state, now, cost, check.limit, check.windowMs);
    steps[i] = s;
    if (record.blockedUntil > now) {
      allowed = false;
      const wait = record.blockedUntil - now;
      outcomes[i] = { allowed: false, remaining: 0, resetMs: Math.max(s.resetMs, wait), retryAfterMs: wait };
    } else {
      if (!s.allowed) allowed = false;
      outcomes[i] = { allowed: s.allowed, remaining: s.remaining, resetMs: s.resetMs, retryAfterMs: s.retryAfterMs };
    }
  }
  if (!allowed) {
    // Nothing is consumed: a limit that would have allowed reports its state as it stays
    // (RateLimit r=95 after 5 of 100, not the r=94 it would have been had the request passed).
    for (let i = 0; i < n; i++) {
      const outcome = outcomes[i] as LimitOutcome;
      if (!outcome.allowed) continue;
      const check = checks[i] as LimitCheck;
      const idle = step(algorithm, (records[i] as KeyRecord).state, now, 0, check.limit, check.windowMs);
      outcomes[i] = { allowed: true, remaining: idle.remaining, resetMs: idle.resetMs, retryAfterMs: 0 };
    }
  }
  const writes: Array<KeyWrite | undefined> = new Array(n);
  if (commit) {
    for (let i = 0; i < n; i++) {
      const s = steps[i] as Step;
      if (allowed) {
        writes[i] = { state: s.next, ttlMs: s.ttlMs };
        continue;
      }
      const check = checks[i] as LimitCheck;
      const record = records[i] as KeyRecord;
      if (check.blockMs > 0 && record.blockedUntil <= now && !s.allowed) {
        writes[i] = { blockedUntil: now + check.blockMs, ttlMs: Math.max(check.blockMs, s.ttlMs) };
        // A block that starts now is what the client must wait for.
        outcomes[i] = { allowed: false, remaining: 0, resetMs: check.blockMs, retryAfterMs: check.blockMs };
      }
    }
  }
  return { result: { allowed, now, outcomes }, writes };
}
