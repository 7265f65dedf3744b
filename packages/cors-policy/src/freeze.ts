import type { Decision, HeaderList } from '@bulwark/core';

/**
 * Freezes a header list and every pair in it. Lists and pairs built at construction are
 * shared by every answer, so a caller that mutated one (`decision.headers[0][1] = ...`)
 * would change the answers to later requests; frozen, the mutation throws instead.
 */
export function freezeHeaders(headers: HeaderList): HeaderList {
  for (const pair of headers) Object.freeze(pair);
  return Object.freeze(headers);
}

/** Deep-freezes a decision built once and returned to many requests. Construction only. */
export function freezeDecision<T extends Decision>(decision: T): T {
  freezeHeaders(decision.headers);
  if (decision.kind === 'deny') Object.freeze(decision.problem);
  if (decision.kind === 'allow') {
    if (decision.removeHeaders !== undefined) Object.freeze(decision.removeHeaders);
    if (decision.state !== undefined) Object.freeze(decision.state);
  }
  return Object.freeze(decision);
}
