import type { RequestPolicy } from '@bulwark/core';
import { corsPolicy } from '@bulwark/cors-policy';
import { securityHeaders } from '@bulwark/headers';
import { rateLimitPolicy } from '@bulwark/ratelimit';

/**
 * What every server of the HTTP benchmark answers, and what each variant must add: one
 * scenario, so that the twelve servers (four frameworks, three variants) do the same work.
 */

export const FRAMEWORKS = ['fastify', 'express', 'koa', 'hono'] as const;
export type Framework = (typeof FRAMEWORKS)[number];

/** What a benchmark server runs on: a framework, or `node:http` alone (`node`: bare and floor only, see http/node.ts). */
export const SERVER_KINDS = [...FRAMEWORKS, 'node'] as const;
export type ServerKind = (typeof SERVER_KINDS)[number];

/**
 * The variants `pnpm bench http` and `pnpm bench http-stack` run. `bare`: the route alone;
 * `ours`: behind Bulwark; `anchor`: behind helmet, cors and the usual limiter (and, in
 * http-stack, the usual JWT middleware); `floor`: the bare route answering
 * the same header fields as Bulwark's answer ({@link FLOOR_HEADERS}) as fixed values, set the
 * framework's own cheapest way. It measures what the fields alone cost on each framework
 * (Node validates, lower-cases and serialises each one), the part of the pipeline's cost no
 * policy code can remove.
 */
export const PIPELINE_VARIANTS = ['bare', 'floor', 'ours', 'anchor'] as const;
export type Variant = (typeof PIPELINE_VARIANTS)[number];

/**
 * Bulwark's answer fields on the bench route, as fixed values (the header profile's seven,
 * CORS's three, the two RateLimit fields): what `floor` sets.
 */
export const FLOOR_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
  'cache-control': 'no-store',
  'access-control-allow-origin': 'https://app.example.com',
  'access-control-allow-credentials': 'true',
  vary: 'Origin',
  ratelimit: '"ip";r=999999;t=1',
  'ratelimit-policy': '"ip";q=1000000;w=1',
});

/**
 * How the Bulwark variant mounts its three policies: `list` is one `guard([...])` for all
 * of them (issue #13), `each` one `guard(policy)` per policy (what adapters offered before).
 */
export type GuardForm = 'list' | 'each';

export const ROUTE = '/v2/notes';
/** Sent on every request of every variant, so CORS does its work where it is mounted. */
export const ORIGIN = 'https://app.example.com';
export const NOTES = [
  { id: 'n1', title: 'Quarterly planning', pinned: true },
  { id: 'n2', title: 'Incident review', pinned: false },
  { id: 'n3', title: 'On-call rotation', pinned: false },
];

/**
 * A per-IP limit no benchmark round can reach (a million a second; Bulwark's largest
 * allowed limit): every limiter counts each request and never refuses one.
 */
export const NEVER_REACHED = 1_000_000;
export const WINDOW_MS = 1_000;

/**
 * Bulwark's stack, in the demo's mount order (headers, the per-IP limit, CORS): built per
 * server, as an application builds it once at start-up.
 */
export function bulwarkPolicies(): RequestPolicy[] {
  return [
    securityHeaders(),
    rateLimitPolicy({
      name: 'bench',
      limits: [{ name: 'ip', key: 'ip', limit: NEVER_REACHED, window: WINDOW_MS }],
    }),
    corsPolicy({ origins: [ORIGIN], credentials: true }),
  ];
}

/**
 * Headers an answer must carry (lower-case names), and must not carry, for the variant to
 * be measured: a server that lost a middleware would otherwise look fast. The limiter
 * headers differ by library; each anchor names its own.
 */
export interface Expectations {
  readonly present: readonly string[];
  readonly absent: readonly string[];
}

const CORS_AND_HEADERS = ['access-control-allow-origin', 'x-content-type-options'];

export function expectations(framework: ServerKind, variant: Variant): Expectations {
  if (variant === 'bare') return { present: [], absent: CORS_AND_HEADERS };
  if (variant === 'ours' || variant === 'floor')
    return { present: [...CORS_AND_HEADERS, 'ratelimit', 'ratelimit-policy'], absent: [] };
  if (framework === 'node') throw new Error('node: bare and floor only');
  const limiter: Record<Framework, string> = {
    express: 'ratelimit', // express-rate-limit, standardHeaders 'draft-8'
    fastify: 'x-ratelimit-limit', // @fastify/rate-limit's defaults
    koa: 'x-ratelimit-limit', // koa-ratelimit's defaults
    hono: 'ratelimit-limit', // hono-rate-limiter, standardHeaders 'draft-6'
  };
  return { present: [...CORS_AND_HEADERS, limiter[framework]], absent: [] };
}
