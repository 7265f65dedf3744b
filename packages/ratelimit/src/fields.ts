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

/** One `RateLimit-Policy` item: `"name";q=<limit>;w=<window seconds>`. */
export function policyItem(name: string, limit: number, windowMs: number): string {
  return `"${name}";q=${limit};w=${seconds(windowMs)}`;
}

/** The constant start of a limit's `RateLimit` item, `"name";r=`: built once per limit. */
export function stateItemPrefix(name: string): string {
  return `"${name}";r=`;
}

/** One `RateLimit` item, from its constant prefix (see {@link stateItemPrefix}). */
export function stateItem(prefix: string, remaining: number, resetMs: number): string {
  return `${prefix}${remaining};t=${seconds(resetMs)}`;
}

/** The legacy `X-RateLimit-*` trio for the most constrained limit. */
export function legacyFields(applied: readonly AppliedLimit[]): Array<readonly [string, string]> {
  let tightest = applied[0] as AppliedLimit;
  for (let i = 1; i < applied.length; i++) {
    const a = applied[i] as AppliedLimit;
    if (a.remaining < tightest.remaining) tightest = a;
  }
  return [
    ['x-ratelimit-limit', String(tightest.limit)],
    ['x-ratelimit-remaining', String(tightest.remaining)],
    ['x-ratelimit-reset', String(seconds(tightest.resetMs))],
  ];
}

/**
 * `RateLimit-Policy` and `RateLimit` (draft-ietf-httpapi-ratelimit-headers-10): one
 * structured-field item per policy, named, with `q` (quota) and `w` (window, seconds), and
 * `r` (remaining) and `t` (seconds to reset). Optionally the legacy `X-RateLimit-*` trio
 * for the most constrained limit. (`rateLimitPolicy` builds the same fields with their
 * constant parts compiled once; this is the general form.)
 *
 * @example
 * ```ts
 * rateLimitFields([{ name: 'anon', limit: 100, windowMs: 60_000, remaining: 99, resetMs: 60_000 }], false);
 * // [['ratelimit-policy', '"anon";q=100;w=60'], ['ratelimit', '"anon";r=99;t=60']]
 * ```
 */
export function rateLimitFields(applied: readonly AppliedLimit[], legacy: boolean): HeaderList {
  if (applied.length === 0) return [];
  const policy = applied.map((a) => policyItem(a.name, a.limit, a.windowMs)).join(', ');
  const state = applied.map((a) => stateItem(stateItemPrefix(a.name), a.remaining, a.resetMs)).join(', ');
  const headers: Array<readonly [string, string]> = [
    ['ratelimit-policy', policy],
    ['ratelimit', state],
  ];
  if (legacy) headers.push(...legacyFields(applied));
  return headers;
}
