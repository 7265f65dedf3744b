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
import { type CompiledRule, compileRule, type LimitKey, type LimitRule, NAME, positiveInteger } from './rules.js';

export type { LimitKey, LimitRule };

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

  const fullPolicyPair: readonly [string, string] = Object.freeze(['ratelimit-policy', fullPolicy] as const);

  /** `RateLimit-Policy`: a constant pair unless only some limits applied, or one was changed. */
  const policyPair = (applied: readonly CompiledRule[]): readonly [string, string] => {
    let all = applied.length === rules.length;
    for (let i = 0; all && i < applied.length; i++) all = applied[i] === rules[i];
    if (all) return fullPolicyPair;
    let field = (applied[0] as CompiledRule).policyItem;
    for (let i = 1; i < applied.length; i++) field += `, ${(applied[i] as CompiledRule).policyItem}`;
    return ['ratelimit-policy', field];
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
    const fields: Array<readonly [string, string]> = [policyPair(applied), ['ratelimit', state]];
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
