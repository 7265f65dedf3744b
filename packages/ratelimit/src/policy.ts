import {
  allow,
  BulwarkError,
  type Clock,
  ConfigError,
  canonicalIpv4Value,
  checkOptions,
  type Decision,
  type Duration,
  deny,
  type EventSink,
  emitEvent,
  type HeaderList,
  ipKey,
  ipMatcher,
  parseDuration,
  parseIp,
  type RequestPolicy,
  type RequestView,
  routeTable,
  standardDeny,
  systemClock,
} from '@bulwark/core';
import { ALGORITHMS, type Algorithm } from './algorithms.js';
import { type AppliedLimit, legacyFields, policyItem, stateItem, stateItemPrefix } from './fields.js';
import { memoryStore } from './memory-store.js';
import type { ConsumeResult, LimitCheck, RateLimitStore } from './port.js';
import { type FailureOptions, type Guarded, guardedStore } from './resilience.js';

/**
 * What a limit counts by: the client address, the authenticated principal, one counter for
 * everyone, one counter per path prefix of the limit's `paths` (`route`, shared by all
 * clients), or a function of the request.
 */
export type LimitKey = 'ip' | 'principal' | 'global' | 'route' | ((view: RequestView) => string | undefined);

export interface LimitRule {
  /** Names the limit in `RateLimit-Policy` and in store keys: `[a-z0-9_-]`, unique per policy. */
  readonly name: string;
  readonly limit: number;
  readonly window: Duration;
  /**
   * Default `ip` (the client address after trust-proxy, IPv6 grouped by prefix). `route`
   * needs `paths`: each listed prefix is one counter, whoever calls it.
   */
  readonly key?: LimitKey | undefined;
  /**
   * Only requests under these path prefixes count (segment-aligned, matched on the
   * percent-decoded path as Fastify and Hono route it; see core's `routingPath`). Default: all.
   */
  readonly paths?: readonly string[] | undefined;
  /**
   * Only these methods count. Default: all. `GET` includes `HEAD`: every supported framework
   * answers a HEAD request with the GET handler, so a GET-only limit would otherwise let the
   * same work through unlimited.
   */
  readonly methods?: readonly string[] | undefined;
  /** Block the key this long once it exceeds the limit. Default: no block. */
  readonly block?: Duration | undefined;
  /** A different limit for some requests (for example by plan). */
  readonly override?: ((view: RequestView) => number | undefined) | undefined;
}

export interface RateLimitOptions {
  readonly limits: readonly LimitRule[];
  /** One algorithm per policy (so several limits are one atomic store call). Default `fixed-window`. */
  readonly algorithm?: Algorithm | undefined;
  /** Default: an in-memory store. */
  readonly store?: RateLimitStore | undefined;
  /** Names the policy in events and store keys. Default `default`. */
  readonly name?: string | undefined;
  /** The weight of a request. Default 1. */
  readonly cost?: ((view: RequestView) => number) | undefined;
  /** Requests that are never counted. */
  readonly skip?: ((view: RequestView) => boolean) | undefined;
  /** Client addresses or CIDRs that are never counted. */
  readonly allowlist?: readonly string[] | undefined;
  /** Evaluate and report, never refuse. Default false. */
  readonly shadow?: boolean | undefined;
  /** A factor in (0, 1] applied to every limit at request time (see the README). */
  readonly adaptive?: (() => number) | undefined;
  /** Store failure policy. Default `{ mode: 'fail-closed', timeout: 500 }`. */
  readonly failure?: FailureOptions | undefined;
  /** Also send `X-RateLimit-Limit/Remaining/Reset`. Default false. */
  readonly legacyHeaders?: boolean | undefined;
  /** IPv6 grouping for `ip` keys. Default 64. */
  readonly ipv6Prefix?: number | undefined;
  readonly onEvent?: EventSink | undefined;
  readonly clock?: Clock | undefined;
}

/** A compiled rate-limit policy; `reset` and `peek` serve admin tools and tests. */
export interface RateLimitPolicy extends RequestPolicy {
  /**
   * The decision for a request. Synchronous when the store answers synchronously (the
   * memory store, the default), a Promise otherwise (Redis): `await` it either way. A
   * guard list whose policies all answer synchronously runs without a Promise.
   */
  evaluate(view: RequestView): Decision | Promise<Decision>;
  /**
   * The outcomes the request would get, without consuming. Like `refund` and `reset`, it
   * waits at most `failure.timeout` and, when the store fails, emits
   * `ratelimit.store_failure` and rejects with a `BulwarkError` `store_unavailable`
   * (these are not decisions, so the failure mode does not apply to them).
   */
  peek(view: RequestView): Promise<readonly AppliedLimit[]>;
  /**
   * Gives back `cost` (default: the request's cost) to every limit the request counts
   * against: never below empty nor above full, keeping each key's expiry. Blocks stay.
   * For work that should not count after all (a request that failed on your side, say).
   * Rejects with `store_unavailable` when the store fails or does not answer in time.
   */
  refund(view: RequestView, cost?: number): Promise<void>;
  /** Forgets the counters and blocks of this request's keys (rejects as `refund` does). */
  reset(view: RequestView): Promise<void>;
}

interface CompiledRule {
  readonly name: string;
  /** The store scope, `<policy>:<limit>`: built once here, not per request. */
  readonly scope: string;
  readonly limit: number;
  readonly windowMs: number;
  readonly blockMs: number;
  /**
   * The limit's key for a request; `'ip'` for the client's address, which the policy
   * resolves once per request for all its `ip` limits.
   */
  readonly keyOf: ((view: RequestView) => string | undefined) | 'ip';
  readonly applies: (view: RequestView) => boolean;
  readonly override: ((view: RequestView) => number | undefined) | undefined;
  /** This limit's `RateLimit-Policy` item at its configured limit: a constant, built once. */
  readonly policyItem: string;
  /** The constant start of its `RateLimit` item, `"name";r=`. */
  readonly statePrefix: string;
}

const NAME = /^[a-z0-9_-]{1,32}$/;

function positiveInteger(value: unknown, option: string, max: number): number {
  if (!Number.isSafeInteger(value) || (value as number) < 1 || (value as number) > max) {
    throw new ConfigError(option, `expected an integer from 1 to ${max}`);
  }
  return value as number;
}

const RULE_KEYS = ['name', 'limit', 'window', 'key', 'paths', 'methods', 'block', 'override'];
const OPTION_KEYS = [
  'limits',
  'algorithm',
  'store',
  'name',
  'cost',
  'skip',
  'allowlist',
  'shadow',
  'adaptive',
  'failure',
  'legacyHeaders',
  'ipv6Prefix',
  'onEvent',
  'clock',
];

function compileRule(rule: LimitRule, index: number, policy: string): CompiledRule {
  const at = `limits[${index}]`;
  checkOptions(rule, RULE_KEYS, at);
  if (typeof rule.name !== 'string' || !NAME.test(rule.name))
    throw new ConfigError(`${at}.name`, 'expected 1-32 characters of a-z, 0-9, _ and -');
  const limit = positiveInteger(rule.limit, `${at}.limit`, 1_000_000);
  const windowMs = parseDuration(rule.window, `${at}.window`);
  // Integer state in every store: limit x window stays far below 2^53 and 1e14.
  if (windowMs < 1 || windowMs > 86_400_000 * 7) throw new ConfigError(`${at}.window`, 'expected 1 ms to 7 days');
  if (limit * windowMs > 1e13) throw new ConfigError(`${at}.limit`, 'limit x window (ms) must stay under 1e13');
  const blockMs = rule.block === undefined ? 0 : parseDuration(rule.block, `${at}.block`);
  const key = rule.key ?? 'ip';
  if (rule.paths !== undefined && !Array.isArray(rule.paths))
    throw new ConfigError(`${at}.paths`, 'expected a list of path prefixes');
  // The listed prefix a request falls under, as configured, or undefined: both whether the
  // limit applies and, for `route`, its counter.
  const prefixOf =
    rule.paths === undefined
      ? undefined
      : routeTable<string | undefined>(
          rule.paths.map((prefix) => ({ prefix, value: prefix })),
          undefined,
          `${at}.paths`,
        );
  let keyOf: CompiledRule['keyOf'];
  if (key === 'ip') keyOf = 'ip';
  else if (key === 'principal') keyOf = (view) => view.principal?.subject;
  else if (key === 'global') keyOf = () => '*';
  else if (key === 'route') {
    // Keyed by the raw path, a client could open a fresh counter per URL (`/v2/notes/1`,
    // `/v2/notes/2`...): the configured prefixes bound the counters.
    if (prefixOf === undefined)
      throw new ConfigError(`${at}.key`, '"route" counts per path prefix: list the prefixes in paths');
    keyOf = (view) => prefixOf(view.path);
  } else if (typeof key === 'function') keyOf = key;
  else throw new ConfigError(`${at}.key`, 'expected "ip", "principal", "global", "route" or a function');
  const inPaths = prefixOf === undefined ? () => true : (path: string) => prefixOf(path) !== undefined;
  const methods = rule.methods?.map((m) => m.toUpperCase());
  // Express, Fastify, Koa's router and Hono all serve HEAD with the GET handler.
  if (methods?.includes('GET') && !methods.includes('HEAD')) methods.push('HEAD');
  return {
    name: rule.name,
    scope: `${policy}:${rule.name}`,
    limit,
    windowMs,
    blockMs,
    keyOf,
    applies: (view) => inPaths(view.path) && (methods === undefined || methods.includes(view.method)),
    override: rule.override,
    policyItem: policyItem(rule.name, limit, windowMs),
    statePrefix: stateItemPrefix(rule.name),
  };
}

/**
 * Compiles a rate-limit policy: several named limits checked all-or-nothing in one atomic
 * store call, with `RateLimit-Policy` / `RateLimit` fields on every answer and 429
 * problem+json with `Retry-After` when a limit refuses.
 *
 * @example
 * ```ts
 * const limiter = rateLimitPolicy({
 *   limits: [
 *     { name: 'anon', key: 'ip', limit: 100, window: '60s', paths: ['/v2'] },
 *     { name: 'reports', key: 'ip', limit: 5, window: '60s', paths: ['/v2/reports'], methods: ['POST'] },
 *   ],
 *   store: redisRateLimitStore(redis), // or the default memory store
 *   failure: { mode: 'fallback', timeout: '200ms' },
 * });
 * import { guard } from '@bulwark/express'; // any adapter
 * app.use(guard(limiter, { trustProxy: { hops: 1 } }));
 * ```
 */
export function rateLimitPolicy(options: RateLimitOptions): RateLimitPolicy {
  checkOptions(options, OPTION_KEYS);
  if (!Array.isArray(options.limits) || options.limits.length === 0) {
    throw new ConfigError('limits', 'list at least one limit');
  }
  const algorithm = options.algorithm ?? 'fixed-window';
  if (!ALGORITHMS.includes(algorithm)) throw new ConfigError('algorithm', `expected one of ${ALGORITHMS.join(', ')}`);
  const name = options.name ?? 'default';
  if (!NAME.test(name)) throw new ConfigError('name', 'expected 1-32 characters of a-z, 0-9, _ and -');
  const keyForIp = ipKey({ ipv6Prefix: options.ipv6Prefix });
  const rules = options.limits.map((rule, i) => compileRule(rule, i, name));
  // When every limit counts the client (or every one the principal), all checks of a
  // request carry one key, and every check of a key does: that key can place them (a
  // Redis Cluster then spreads the policy by client instead of keeping it on one node).
  // Mixed kinds cannot: a principal's counter must not move with the address it calls from.
  const kinds = new Set(options.limits.map((rule) => rule.key ?? 'ip'));
  const shardByKey = kinds.size === 1 && (kinds.has('ip') || kinds.has('principal'));
  if (new Set(rules.map((r) => r.name)).size !== rules.length)
    throw new ConfigError('limits', 'limit names must be unique');
  const store = options.store ?? memoryStore({ clock: options.clock });
  const clock = options.clock ?? systemClock;
  const onEvent = options.onEvent;
  const shadow = options.shadow ?? false;
  const legacy = options.legacyHeaders ?? false;
  const isAllowlisted = options.allowlist === undefined ? undefined : ipMatcher(options.allowlist, 'allowlist');
  const { consume, bounded } = guardedStore(options.failure ?? {}, name, onEvent, clock);
  const none = allow();

  const limitFactor = (): number => {
    if (options.adaptive === undefined) return 1;
    const factor = options.adaptive();
    // A broken hook must not disable limits: anything odd counts as "no change".
    return Number.isFinite(factor) && factor > 0 && factor <= 1 ? factor : 1;
  };

  /** The limits that apply to this request, with their store keys. */
  const plan = (view: RequestView): { applied: CompiledRule[]; checks: LimitCheck[] } | undefined => {
    if (options.skip?.(view) === true) return undefined;
    if (isAllowlisted !== undefined && view.clientIp !== undefined) {
      const ip = parseIp(view.clientIp);
      if (ip !== undefined && isAllowlisted(ip)) return undefined;
    }
    const factor = limitFactor();
    const applied: CompiledRule[] = [];
    const checks: LimitCheck[] = [];
    // The client's key, shared by every `ip` limit: found once, in one pass over the address
    // that also yields its number when it is a canonical IPv4 address (the memory store
    // indexes those by number). `undefined` until an `ip` limit applies.
    let clientKey: string | undefined;
    let clientIpv4 = -1;
    for (const rule of rules) {
      if (!rule.applies(view)) continue;
      let key: string | undefined;
      let ipv4: number | undefined;
      if (rule.keyOf === 'ip') {
        if (clientKey === undefined) {
          const ip = view.clientIp ?? '';
          clientIpv4 = canonicalIpv4Value(ip);
          if (clientIpv4 >= 0) clientKey = ip;
          else {
            clientKey = keyForIp(ip) ?? 'unknown';
            // `::ffff:192.0.2.1` is keyed as `192.0.2.1`: the number must follow the key, or
            // one client would have two counters.
            clientIpv4 = canonicalIpv4Value(clientKey);
          }
        }
        key = clientKey;
        ipv4 = clientIpv4;
      } else {
        key = rule.keyOf(view);
        if (key === undefined) continue;
      }
      const base = rule.override?.(view) ?? rule.limit;
      const limit = Math.max(1, Math.floor(base * factor));
      // A limit changed for this request (override, adaptive) describes itself anew.
      applied.push(
        limit === rule.limit ? rule : { ...rule, limit, policyItem: policyItem(rule.name, limit, rule.windowMs) },
      );
      checks.push({
        scope: rule.scope,
        key,
        shard: shardByKey ? key : undefined,
        ipv4,
        limit,
        windowMs: rule.windowMs,
        blockMs: rule.blockMs,
      });
    }
    return applied.length === 0 ? undefined : { applied, checks };
  };

  const costOf = (view: RequestView): number => {
    const cost = options.cost?.(view) ?? 1;
    return Number.isSafeInteger(cost) && cost >= 0 ? cost : 1;
  };

  // Every limit at its configured value: the whole RateLimit-Policy field, built once.
  const fullPolicy = rules.map((rule) => rule.policyItem).join(', ');

  /** `RateLimit-Policy`: a constant unless only some limits applied, or one was changed. */
  const policyField = (applied: readonly CompiledRule[]): string => {
    if (applied.length === 1) return (applied[0] as CompiledRule).policyItem;
    let all = applied.length === rules.length;
    for (let i = 0; all && i < applied.length; i++) all = applied[i] === rules[i];
    if (all) return fullPolicy;
    let field = (applied[0] as CompiledRule).policyItem;
    for (let i = 1; i < applied.length; i++) field += `, ${(applied[i] as CompiledRule).policyItem}`;
    return field;
  };

  /** `RateLimit-Policy` and `RateLimit` (and the legacy trio): see `rateLimitFields`, same bytes. */
  const fieldsFor = (applied: readonly CompiledRule[], result: ConsumeResult): HeaderList => {
    const outcomes = result.outcomes;
    let state = '';
    for (let i = 0; i < applied.length; i++) {
      const outcome = outcomes[i];
      const item = stateItem((applied[i] as CompiledRule).statePrefix, outcome?.remaining ?? 0, outcome?.resetMs ?? 0);
      state = i === 0 ? item : `${state}, ${item}`;
    }
    const fields: Array<readonly [string, string]> = [
      ['ratelimit-policy', policyField(applied)],
      ['ratelimit', state],
    ];
    if (legacy) {
      fields.push(
        ...legacyFields(
          applied.map((rule, i) => ({
            name: rule.name,
            limit: rule.limit,
            windowMs: rule.windowMs,
            remaining: outcomes[i]?.remaining ?? 0,
            resetMs: outcomes[i]?.resetMs ?? 0,
          })),
        ),
      );
    }
    return fields;
  };

  /** The decision once the store (or the failure mode) answered. */
  const decide = (view: RequestView, applied: readonly CompiledRule[], outcome: Guarded): Decision => {
    if (outcome.kind === 'open') return none;
    if (outcome.kind === 'closed') return standardDeny('store_unavailable');
    const { result } = outcome;
    const fields = fieldsFor(applied, result);
    if (result.allowed) return allow(fields);
    const refused = applied.filter((_, i) => result.outcomes[i]?.allowed === false).map((r) => r.name);
    emitEvent(onEvent, {
      type: 'ratelimit.exceeded',
      at: clock.now(),
      policy: name,
      limits: refused,
      shadow,
      method: view.method,
      path: view.path,
      ...(view.clientIp ? { clientIp: view.clientIp } : {}),
    });
    if (shadow) return allow(fields);
    let retryMs = 0;
    result.outcomes.forEach((o) => {
      if (!o.allowed) retryMs = Math.max(retryMs, o.retryAfterMs);
    });
    const retryAfter = Math.max(1, Math.ceil(retryMs / 1000));
    return deny('rate_limited', `Too many requests; retry after ${retryAfter} s.`, {
      headers: [...fields, ['retry-after', String(retryAfter)]],
      extensions: { retryAfter, limits: refused },
    });
  };

  return {
    name: 'rate-limit',
    evaluate(view) {
      const planned = plan(view);
      if (planned === undefined) return none;
      const { applied, checks } = planned;
      const outcome = consume(store, algorithm, checks, costOf(view));
      // The memory store answers synchronously, and so does this policy then: no Promise.
      if (outcome instanceof Promise) return outcome.then((settled) => decide(view, applied, settled));
      return decide(view, applied, outcome);
    },
    async peek(view) {
      const planned = plan(view);
      if (planned === undefined) return [];
      const result = await bounded(store, 'peek', () => store.peek(algorithm, planned.checks, costOf(view)));
      return planned.applied.map((rule, i) => ({
        name: rule.name,
        limit: rule.limit,
        windowMs: rule.windowMs,
        remaining: result.outcomes[i]?.remaining ?? 0,
        resetMs: result.outcomes[i]?.resetMs ?? 0,
      }));
    },
    async refund(view, cost) {
      if (cost !== undefined && !(Number.isSafeInteger(cost) && cost >= 0))
        throw new BulwarkError('invalid_argument', 'refund cost must be a non-negative integer');
      const planned = plan(view);
      if (planned !== undefined)
        await bounded(store, 'refund', (deadline) =>
          store.refund(algorithm, planned.checks, cost ?? costOf(view), undefined, deadline),
        );
    },
    async reset(view) {
      const planned = plan(view);
      if (planned !== undefined) await bounded(store, 'reset', (deadline) => store.reset(planned.checks, deadline));
    },
  };
}
