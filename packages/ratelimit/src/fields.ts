import type { HeaderList } from '@bulwark/core';

/** One applied limit, as the RateLimit fields describe it. */
export interface AppliedLimit {
  readonly name: string;
  readonly limit: number;
  readonly windowMs: number;
  readonly remaining: number;
  readonly resetMs: number;
}

const seconds = (ms: number) => Math.max(0, Math.ceil(ms / 1000));

/**
 * `RateLimit-Policy` and `RateLimit` (draft-ietf-httpapi-ratelimit-headers-10): one
 * structured-field item per policy, named, with `q` (quota) and `w` (window, seconds), and
 * `r` (remaining) and `t` (seconds to reset). Optionally the legacy `X-RateLimit-*` trio
 * for the most constrained limit.
 */
export function rateLimitFields(applied: readonly AppliedLimit[], legacy: boolean): HeaderList {
  if (applied.length === 0) return [];
  const policy = applied.map((a) => `"${a.name}";q=${a.limit};w=${seconds(a.windowMs)}`).join(', ');
  const state = applied.map((a) => `"${a.name}";r=${a.remaining};t=${seconds(a.resetMs)}`).join(', ');
  const headers: Array<readonly [string, string]> = [
    ['ratelimit-policy', policy],
    ['ratelimit', state],
  ];
  if (legacy) {
    let tightest = applied[0] as AppliedLimit;
    for (const a of applied) if (a.remaining < tightest.remaining) tightest = a;
    headers.push(
      ['x-ratelimit-limit', String(tightest.limit)],
      ['x-ratelimit-remaining', String(tightest.remaining)],
      ['x-ratelimit-reset', String(seconds(tightest.resetMs))],
    );
  }
  return headers;
}
