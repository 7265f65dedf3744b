// Shared by this package's tests only (not exported from the package entry).
import type { Problem, RefusalDecision } from '@bulwark/core';

/** The problem of a problem+json refusal; fails on a `respond` answer (the OAuth form). */
export function problemOf(decision: RefusalDecision | undefined): Problem {
  if (decision?.kind !== 'deny') throw new Error(`expected a problem+json refusal, got ${decision?.kind}`);
  return decision.problem;
}
