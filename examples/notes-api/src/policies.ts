import { allow, type Clock, type EventSink, type RequestPolicy, type RequestView, routingPath } from '@bulwark/core';
import { corsPolicy } from '@bulwark/cors-policy';
import { apiVersionPolicy, type DeprecationRule, deprecationPolicy, securityHeaders } from '@bulwark/headers';
import { type LimitRule, type RateLimitPolicy, type RateLimitStore, rateLimitPolicy } from '@bulwark/ratelimit';
import { JWKS_CACHE_CONTROL } from './auth/handlers.js';

interface LimitOptions {
  readonly store?: RateLimitStore | undefined;
  readonly clock?: Clock | undefined;
  readonly onEvent?: EventSink | undefined;
}

/**
 * The sign-in endpoints of DEMO.md, and the OAuth sign-in form's post (`POST
 * /oauth/authorize`): it checks a password like `/auth/login`, so it shares that budget.
 */
export const SIGN_IN_PATHS = ['/auth/login', '/auth/refresh', '/oauth/token', '/oauth/authorize'];

/** The routes that check a password, under the lockout (DEMO.md, Lockout). */
export const PASSWORD_PATHS = ['/auth/login', '/oauth/authorize'];

const NOTHING = allow();

/**
 * Hands the password routes the client IP as trust-proxy resolved it (state `clientIp`):
 * the lockout counts per account and IP. Only there, so no other request pays for it.
 */
export function signInClient(): RequestPolicy {
  return {
    name: 'signin-client',
    evaluate: (view) =>
      view.method === 'POST' && PASSWORD_PATHS.includes(routingPath(view.path))
        ? allow(undefined, { clientIp: view.clientIp })
        : NOTHING,
  };
}

/** The client IP the {@link signInClient} policy handed on (a framework's state bag is untyped). */
export function clientIpOf(state: Readonly<Record<string, unknown>> | null | undefined): string | undefined {
  const ip = state?.clientIp;
  return typeof ip === 'string' ? ip : undefined;
}

/** One segment under `/.well-known/`, never a dot segment: nothing a router could resolve elsewhere. */
const WELL_KNOWN = /^\/\.well-known\/(?!\.\.?$)[a-z0-9._-]+$/;

/**
 * The requests the per-client tiers never count: `/health` and `/.well-known/*`, exactly
 * (DEMO.md). Matched on the routing path (percent-decoded, lower-case, as the most lenient
 * router routes it), so no spelling of another route can pass for one of them.
 */
export function unlimitedPath(view: RequestView): boolean {
  const path = routingPath(view.path);
  return path === '/health' || WELL_KNOWN.test(path);
}

/** The per-client tiers' limits (also described by `/openapi.json`). */
export const CLIENT_TIERS: readonly LimitRule[] = [
  { name: 'ip', key: 'ip', limit: 1000, window: '15m' },
  // POST only: a browser's preflight before each sign-in must not halve the budget.
  { name: 'signin', key: 'ip', limit: 20, window: '60s', paths: SIGN_IN_PATHS, methods: ['POST'] },
];

/** The per-principal tiers' limits (also described by `/openapi.json`). */
export const PRINCIPAL_TIERS: readonly LimitRule[] = [
  { name: 'user', key: 'principal', limit: 100, window: '60s', paths: ['/v2', '/admin'] },
  { name: 'reports', key: 'principal', limit: 5, window: '60s', paths: ['/v2/reports'], methods: ['POST'] },
];

/** The deprecation of `/v1` (DEMO.md; also described by `/openapi.json`). */
export const V1_DEPRECATION: DeprecationRule = {
  prefix: '/v1',
  deprecatedAt: '2026-06-01T00:00:00Z',
  sunsetAt: '2027-06-30T00:00:00Z',
  documentation: '/docs/migrating-to-v2',
  successor: '/v2/notes',
};

/**
 * The per-client tiers, counted by client IP before CORS and authentication: every route
 * but the unlimited ones, 1000 per 15 minutes, and the sign-in endpoints, 20 per minute.
 * Before CORS so that preflights count like any request (CORS answers a preflight itself,
 * and a policy after it would never see one); before authentication so that refused
 * credentials (a token-guessing flood) count too. A refused request (429) therefore
 * carries no CORS grant: to a browser page it is a failed request.
 */
export function clientLimits(options: LimitOptions): RateLimitPolicy {
  return rateLimitPolicy({
    name: 'notes-api',
    limits: CLIENT_TIERS,
    skip: unlimitedPath,
    store: options.store,
    clock: options.clock,
    // With Redis, a Redis outage falls back to per-process limits instead of failing open.
    failure: { mode: 'fallback', timeout: '250ms' },
    onEvent: options.onEvent,
  });
}

/**
 * The per-principal tiers, mounted after authentication on the protected routes: 100 per
 * minute per user on `/v2` and `/admin`, and the expensive operation, 5 reports per
 * minute per user, on top. Two users behind one address (an office NAT) have a budget each.
 * A request they refuse gives back what the per-client tiers counted for it (DEMO.md: a
 * refused request consumes nothing), so a user spending their own budget does not spend
 * their address's.
 */
export function principalLimits(options: LimitOptions, clientTier: RateLimitPolicy): RequestPolicy {
  const tier = rateLimitPolicy({
    name: 'notes-api-user',
    limits: PRINCIPAL_TIERS,
    store: options.store,
    clock: options.clock,
    failure: { mode: 'fallback', timeout: '250ms' },
    onEvent: options.onEvent,
  });
  return {
    name: tier.name,
    async evaluate(view) {
      const decision = await tier.evaluate(view);
      if (decision.kind === 'deny' && decision.code === 'rate_limited') {
        // Best effort: a store failure here is reported by the tier's own events.
        await clientTier.refund(view).catch(() => {});
      }
      return decision;
    },
  };
}

/** Every app-wide policy the demo runs, in mount order. Built once; the same objects serve any framework. */
export function demoPolicies(
  options: LimitOptions & { readonly corsOrigins: readonly string[]; readonly clientTier: RequestPolicy },
): RequestPolicy[] {
  const onEvent = options.onEvent;
  return [
    securityHeaders({ cacheControlRoutes: [{ prefix: '/.well-known/jwks.json', value: JWKS_CACHE_CONTROL }] }),
    options.clientTier,
    corsPolicy({
      origins: options.corsOrigins,
      credentials: true,
      methods: ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE'],
      allowedHeaders: ['content-type', 'authorization', 'x-request-id'],
      exposedHeaders: [
        'deprecation',
        'sunset',
        'link',
        'ratelimit',
        'ratelimit-policy',
        'retry-after',
        'www-authenticate',
      ],
      maxAge: 600,
      onEvent,
    }),
    apiVersionPolicy({ supported: ['v1', 'v2'], onEvent }),
    signInClient(),
    deprecationPolicy({
      rules: [V1_DEPRECATION],
      onEvent,
    }),
  ];
}
