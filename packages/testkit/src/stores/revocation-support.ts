import type { RevocationStore } from '@bulwark/tokens';
import { expect } from 'vitest';
import type { RevocationStoreSubject } from './revocation-conformance.js';

/* Constants and waits shared by the revocation suite's cases. */

/** Scheduling slack allowed over a bound: two timer turns on a shared 2-core machine. */
export const SLACK_MS = 400;
export const HOUR = 3_600_000;
let sequence = 0;
export const unique = (what: string) => `${what}-${process.pid}-${Date.now().toString(36)}-${++sequence}`;
export const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Ids a store must keep apart and give back as they are (separators, braces, spaces, line breaks, non-ASCII). */
export const AWKWARD_IDS = ['a b', 'x:y:z', '{tag}', 'line\nbreak', 'ünï-çødé ✓', ' ', '*', 'r 5 jti 9 id'];

export async function withSubject(
  fresh: () => Promise<RevocationStoreSubject>,
  body: (subject: RevocationStoreSubject) => Promise<void>,
): Promise<void> {
  const subject = await fresh();
  try {
    await body(subject);
  } finally {
    await subject.close();
  }
}

/** Resolves once the store answers from its local view (synchronously), failing after `timeoutMs`. */
export async function untilSynchronous(store: RevocationStore, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const answer = store.isRevoked(unique('probe'), undefined, Date.now());
    if (typeof answer === 'boolean') return;
    await answer;
    await pause(20);
  }
  throw new Error(`the store did not answer synchronously within ${timeoutMs} ms`);
}

/** Asks until the store says revoked; answers how long that took (ms), failing after `timeoutMs`. */
export async function untilRevoked(store: RevocationStore, jti: string, sid: string | undefined, timeoutMs: number) {
  const start = Date.now();
  while (Date.now() - start <= timeoutMs) {
    if (await store.isRevoked(jti, sid, Date.now())) return Date.now() - start;
    await pause(10);
  }
  throw new Error(`${jti}/${sid} was not revoked within ${timeoutMs} ms`);
}
