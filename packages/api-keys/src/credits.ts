import type { ApiKeyCredits } from './port.js';

/**
 * The credit rule every store applies (the Redis script is its Lua twin): first any refill
 * due (at each `refillEvery` boundary since `refilledAt`, the credits are topped up to
 * `refillTo`; unused ones above it are kept), then `cost` is spent if it fits; a refusal
 * spends nothing, so credits never go below zero.
 */
export function spendCredits(
  credits: ApiKeyCredits,
  cost: number,
  now: number,
): { readonly ok: boolean; readonly next: ApiKeyCredits } {
  let { remaining, refilledAt } = credits;
  const { refillTo, refillEvery } = credits;
  if (refillEvery > 0 && now >= refilledAt + refillEvery) {
    const periods = Math.floor((now - refilledAt) / refillEvery);
    refilledAt += periods * refillEvery;
    remaining = Math.max(remaining, refillTo);
  }
  const ok = remaining >= cost;
  if (ok) remaining -= cost;
  return { ok, next: { remaining, refillTo, refillEvery, refilledAt } };
}
