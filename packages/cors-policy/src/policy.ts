import {
  type CorsRejectReason,
  type Decision,
  emitEvent,
  type RequestPolicy,
  type RequestView,
  routeTable,
} from '@bulwark/core';
import { compileAnswers } from './answers.js';
import { compileOriginMatcher } from './matcher.js';
import { type CorsOptions, compileCorsOptions } from './options.js';
import { parseOriginHeader } from './origin.js';
import { checkRequestHeaders } from './request-headers.js';

/** Why a request was or was not given CORS access; for developers, never sent to clients. */
export interface CorsExplanation {
  readonly preflight: boolean;
  readonly origin: string | undefined;
  readonly allowed: boolean;
  readonly outcome: 'allowed' | 'not_cors' | CorsRejectReason;
  /** The configured entry that matched the origin, if any. */
  readonly matchedBy?: string;
  readonly message: string;
}

/** A compiled CORS policy: `evaluate` for adapters, `explain` for humans. */
export interface CorsPolicy extends RequestPolicy {
  evaluate(view: RequestView): Decision;
  explain(view: RequestView): CorsExplanation;
}

/** Fetch's CORS-safelisted methods (byte-exact: browsers upper-case them before sending). */
const SAFELISTED_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'POST']);

type Verdict =
  | { ok: true; preflight: boolean; origin: string; matchedBy: string; requestHeaders: string }
  | { ok: false; preflight: boolean; origin: string | undefined; reason: CorsRejectReason | 'not_cors' };

const MESSAGES: Record<CorsExplanation['outcome'], string> = {
  allowed: 'The origin is allowed; CORS headers are added.',
  not_cors: 'No Origin header: not a CORS request; only Vary is added (with "*", the static grant too).',
  origin_not_allowed: 'The origin is well-formed but matches no configured origin or pattern.',
  origin_malformed:
    'The Origin header is not a serialized http(s) origin that an allowlist entry can name (or is "null", or ends with a dot); it is never allowed.',
  method_not_allowed: 'The preflight asks for a method that is not in `methods` (GET, HEAD and POST always pass).',
  headers_not_allowed: 'The preflight asks for a request header that is not in `allowedHeaders`.',
  headers_malformed: 'Access-Control-Request-Headers is not a comma-separated list of header names.',
};

/**
 * Compiles a CORS policy. Every option is checked here: a wildcard with credentials, the
 * `null` origin, plain-http origins with credentials, wildcards over a public suffix,
 * malformed origins (hosts browsers would spell differently or refuse: `http://0x7f000001`,
 * `http://xn--f`, a trailing dot), a max-age over a day, forbidden methods and header names
 * that can never work are all `ConfigError`s. Every answer is a new object: mutating one
 * cannot change another.
 *
 * @example
 * ```ts
 * const policy = corsPolicy({
 *   origins: ['https://app.example.com', 'https://*.preview.example.com'],
 *   credentials: true,
 *   methods: ['GET', 'POST', 'DELETE'],
 *   allowedHeaders: ['content-type', 'authorization'],
 *   exposedHeaders: ['ratelimit', 'ratelimit-policy'],
 * });
 * app.use(cors(policy)); // from @bulwark/express, @bulwark/koa, @bulwark/hono; app.register(cors(policy)) in Fastify
 * ```
 */
export function corsPolicy(options: CorsOptions): CorsPolicy {
  const config = compileCorsOptions(options);
  const matchOrigin = config.allowAll ? undefined : compileOriginMatcher(config.patterns);
  const maxNames = config.allowedHeaders.size;

  const answers = compileAnswers(config);

  function judge(view: RequestView): Verdict {
    const originHeader = view.header('origin');
    const requestMethod = view.method === 'OPTIONS' ? view.header('access-control-request-method') : undefined;
    const preflight = requestMethod !== undefined && originHeader !== undefined;
    if (originHeader === undefined) return { ok: false, preflight: false, origin: undefined, reason: 'not_cors' };

    let matchedBy = '*';
    if (matchOrigin !== undefined) {
      const origin = parseOriginHeader(originHeader);
      if (origin === undefined) return { ok: false, preflight, origin: originHeader, reason: 'origin_malformed' };
      const match = matchOrigin(origin);
      if (match === undefined) return { ok: false, preflight, origin: originHeader, reason: 'origin_not_allowed' };
      // parseOriginHeader accepts only the canonical spelling, so the header can be echoed as is.
      matchedBy = match.pattern;
    }
    if (!preflight) return { ok: true, preflight, origin: originHeader, matchedBy, requestHeaders: '' };

    // GET, HEAD and POST pass the browser's preflight method check whatever the answer says
    // (Fetch, CORS-preflight fetch), and a page can send them without preflight anyway.
    if (!config.methods.has(requestMethod) && !SAFELISTED_METHODS.has(requestMethod))
      return { ok: false, preflight, origin: originHeader, reason: 'method_not_allowed' };
    const requested = view.header('access-control-request-headers');
    let requestHeaders = '';
    if (requested !== undefined) {
      const check = checkRequestHeaders(requested, config.allowedHeaders, maxNames);
      if (!check.ok) return { ok: false, preflight, origin: originHeader, reason: check.reason };
      requestHeaders = check.names;
    }
    return { ok: true, preflight, origin: originHeader, matchedBy, requestHeaders };
  }

  // The hot path: an actual request from an exactly listed origin is one set lookup, then
  // a new decision (see answers.ts). The set holds only canonical origins, so a raw header
  // equal to one is canonical too and needs no parsing.
  const exactOrigins = new Set<string>();
  for (const p of config.patterns) {
    if (!p.subdomains && p.port !== '*')
      exactOrigins.add(`${p.scheme}://${p.host}${p.port === '' ? '' : `:${p.port}`}`);
  }

  return {
    name: 'cors',
    evaluate(view) {
      const originHeader = view.header('origin');
      const isOptions = view.method === 'OPTIONS';
      if (!isOptions) {
        // With "*" the grant is static, so it goes on answers to requests without Origin
        // too (Fetch, "CORS protocol and HTTP caches"): a cache may hand such an answer to a
        // later CORS request, which would otherwise fail.
        if (config.allowAll) return answers.grant('*', false);
        if (originHeader === undefined) return answers.withoutGrant(false);
        if (exactOrigins.has(originHeader)) return answers.grant(originHeader, false);
      }
      const verdict = judge(view);
      if (verdict.ok) {
        if (verdict.preflight) {
          return answers.preflight(
            config.allowAll ? '*' : verdict.origin,
            view.header('access-control-request-method') as string,
            verdict.requestHeaders,
            view.header('access-control-request-private-network') === 'true',
          );
        }
        return answers.grant(config.allowAll ? '*' : verdict.origin, isOptions);
      }
      if (verdict.reason === 'not_cors') {
        return config.allowAll ? answers.grant('*', isOptions) : answers.withoutGrant(isOptions);
      }

      emitEvent(config.onEvent, {
        type: 'cors.rejected',
        at: config.clock.now(),
        origin: verdict.origin ?? '',
        reason: verdict.reason,
        preflight: verdict.preflight,
        method: view.method,
        path: view.path,
      });
      if (verdict.preflight) return answers.preflightRefused();
      if (config.rejectDisallowed) return answers.originRefused(isOptions);
      return answers.withoutGrant(isOptions);
    },
    explain(view) {
      const verdict = judge(view);
      const outcome = verdict.ok ? 'allowed' : verdict.reason;
      return {
        preflight: verdict.preflight,
        origin: verdict.origin,
        allowed: verdict.ok,
        outcome,
        ...(verdict.ok ? { matchedBy: verdict.matchedBy } : {}),
        message: MESSAGES[outcome],
      };
    },
  };
}

/**
 * Chooses a CORS policy by path prefix (longest prefix wins), for APIs whose public and
 * private parts need different rules.
 *
 * @example
 * ```ts
 * const policy = corsPolicyByRoute(
 *   [{ prefix: '/public', value: corsPolicy({ origins: ['*'] }) }],
 *   corsPolicy({ origins: ['https://app.example.com'], credentials: true }),
 * );
 * ```
 */
export function corsPolicyByRoute(
  routes: readonly { readonly prefix: string; readonly value: CorsPolicy }[],
  fallback: CorsPolicy,
): CorsPolicy {
  const lookup = routeTable(routes, fallback, 'routes');
  return {
    name: 'cors',
    evaluate: (view) => lookup(view.path).evaluate(view),
    explain: (view) => lookup(view.path).explain(view),
  };
}
