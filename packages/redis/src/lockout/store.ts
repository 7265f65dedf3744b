import { BulwarkError, type Clock, ConfigError, checkOptions, type Duration, parseDuration } from '@bulwark/core';
import {
  clearHorizon,
  type EngagedLock,
  type LockoutRules,
  type LockoutStatus,
  type LockoutStore,
  lockDuration,
  type ReserveAnswer,
  type ScopeRule,
} from '@bulwark/lockout';
import type { Cluster, Redis } from 'ioredis';
import { type ScriptCall, script, within } from '../redis-call.js';
import { accountKeyOf, ipKeyOf, lockoutKeys } from './keys.js';
import { CLEAR_SCRIPT, INSPECT_SCRIPT, REFUND_SCRIPT, RESERVE_SCRIPT } from './lua.js';

export interface RedisLockoutStoreOptions {
  /** The ioredis `Redis` or `Cluster` client (you create and own it). */
  readonly client: Redis | Cluster;
  /** Key prefix. Default `bulwark:lockout`. */
  readonly keyPrefix?: string | undefined;
  /** How long a Redis call may take before it fails with `store_timeout`. Default `1s`. */
  readonly timeout?: Duration | undefined;
  /**
   * Tests only: the time passed to the scripts instead of Redis `TIME`. Leave it out in
   * production, so that every process counts on one clock (Redis's).
   */
  readonly clock?: Clock | undefined;
}

type Role = 'p' | 'a' | 'i';
const ROLE_SCOPE = { p: 'pair', a: 'account', i: 'ip' } as const;

const ruleArg = (rule: ScopeRule) => `${rule.attempts} ${rule.windowMs} ${rule.lockMs} ${rule.maxLockMs}`;
const nums = (reply: unknown) => (reply as Array<number | string>).map(Number);

/** One call's keys: the account's slot (pair and account), the IP's, or (standalone) all three. */
interface Group {
  readonly keys: readonly string[];
  readonly roles: readonly Role[];
}

/**
 * The lockout store on Redis (an ioredis `Redis` or `Cluster` client), shared by every
 * process, with time from Redis `TIME`. Each operation is one Lua script (EVALSHA, EVAL on
 * NOSCRIPT), and every record is written with its TTL in the same `SET ... PX`.
 *
 * Standalone Redis: one script over the three scopes, one round trip per attempt (a failed
 * one costs nothing more; a success one more, its refund). A Cluster cannot hold an
 * account's counters and an IP's counter in one slot (an IP meets every account), so an
 * attempt is two scripts sent together, one per slot (one round trip of latency): the
 * account's (the pair and the account, atomic together: the 50-parallel race is decided
 * there) and the IP's. When one refuses and the other counted, the other is given back at
 * once (a third call, on that path only), so a refused attempt ends up counted nowhere.
 *
 * @example
 * ```ts
 * import Redis from 'ioredis';
 * import { lockout } from '@bulwark/lockout';
 *
 * const signIns = lockout({ store: redisLockoutStore({ client: new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379') }) });
 * ```
 */
export function redisLockoutStore(options: RedisLockoutStoreOptions): LockoutStore {
  checkOptions(options, ['client', 'keyPrefix', 'timeout', 'clock']);
  const client = options.client;
  if (typeof (client as Redis | undefined)?.defineCommand !== 'function') {
    throw new ConfigError('client', 'expected an ioredis Redis or Cluster client');
  }
  const prefix = options.keyPrefix ?? 'bulwark:lockout';
  if (typeof prefix !== 'string' || prefix === '' || /[{}]/.test(prefix)) {
    throw new ConfigError(
      'keyPrefix',
      'expected a non-empty string without braces (the keys carry their own hash tags)',
    );
  }
  const timeoutMs = options.timeout === undefined ? 1000 : parseDuration(options.timeout, 'timeout');
  if (timeoutMs < 1) throw new ConfigError('timeout', 'expected at least 1ms');
  const clock = options.clock;
  if (clock !== undefined && typeof clock.now !== 'function') throw new ConfigError('clock', 'expected a Clock');
  const cluster = (client as Cluster).isCluster === true;
  const reserve = script(client, 'bulwarkLockoutReserve', RESERVE_SCRIPT);
  const refund = script(client, 'bulwarkLockoutRefund', REFUND_SCRIPT);
  const clear = script(client, 'bulwarkLockoutClear', CLEAR_SCRIPT);
  const inspect = script(client, 'bulwarkLockoutInspect', INSPECT_SCRIPT);

  const now = () => (clock === undefined ? '' : String(clock.now()));
  const ruleOf = (rules: LockoutRules, role: Role) => rules[ROLE_SCOPE[role]];
  const call = (fn: ScriptCall, group: Group, rules: LockoutRules, extra: (role: Role) => string = () => '') =>
    within(
      fn(
        group.keys.length,
        ...group.keys,
        now(),
        group.roles.join(''),
        clearHorizon(rules.pair),
        ...group.roles.map((role) => `${ruleArg(ruleOf(rules, role))}${extra(role)}`),
      ),
      timeoutMs,
    ).then(nums);

  const groupsOf = (target: Parameters<LockoutStore['reserve']>[0]): Group[] => {
    const keys = lockoutKeys(prefix, target);
    if (!cluster) return [{ keys: [keys.pair, keys.account, keys.ip], roles: ['p', 'a', 'i'] }];
    return [
      { keys: [keys.pair, keys.account], roles: ['p', 'a'] },
      { keys: [keys.ip], roles: ['i'] },
    ];
  };

  /** Gives back what one group's reserve counted (`mode` d: an undo; the pair r: a success). */
  const giveBack = (group: Group, rules: LockoutRules, engaged: readonly EngagedLock[], success: boolean) =>
    call(refund, group, rules, (role) => {
      const level = engaged.find((lock) => lock.scope === ROLE_SCOPE[role])?.level ?? 0;
      return ` ${level} ${success && role === 'p' ? 'r' : 'd'}`;
    });

  const answerOf = (group: Group, reply: number[], rules: LockoutRules): ReserveAnswer => {
    const at = reply[0] as number;
    if (reply[1] !== 1) {
      const role = group.roles[(reply[2] as number) - 1] as Role;
      return { allowed: false, now: at, scope: ROLE_SCOPE[role], until: reply[3] as number };
    }
    const counts = { pair: 0, account: 0, ip: 0 };
    const engaged: EngagedLock[] = [];
    group.roles.forEach((role, i) => {
      const scope = ROLE_SCOPE[role];
      const [counted, level, until] = reply.slice(2 + 3 * i, 5 + 3 * i) as [number, number, number];
      counts[scope] = counted;
      if (level > 0) engaged.push({ scope, level, until, durationMs: lockDuration(ruleOf(rules, role), level) });
    });
    return { allowed: true, now: at, counts, engaged };
  };

  return {
    async reserve(target, rules) {
      const groups = groupsOf(target);
      const replies = await Promise.all(groups.map((group) => call(reserve, group, rules)));
      const answers = groups.map((group, i) => answerOf(group, replies[i] as number[], rules));
      if (answers.length === 1) return answers[0] as ReserveAnswer;
      const refused = answers.filter((a) => !a.allowed);
      if (refused.length === 0) {
        const [own, ip] = answers as [ReserveAnswer & { allowed: true }, ReserveAnswer & { allowed: true }];
        return {
          allowed: true,
          now: own.now,
          counts: { pair: own.counts.pair, account: own.counts.account, ip: ip.counts.ip },
          engaged: [...own.engaged, ...ip.engaged],
        };
      }
      // One slot refused: the other's count is taken back, so the attempt counts nowhere.
      await Promise.all(
        answers.map((answer, i) =>
          answer.allowed ? giveBack(groups[i] as Group, rules, answer.engaged, false) : undefined,
        ),
      );
      return refused.reduce((a, b) => ((b as { until: number }).until > (a as { until: number }).until ? b : a));
    },
    async refund(target, rules, engaged, kind = 'success') {
      const groups = groupsOf(target);
      // unchecked: the pair too gives the one attempt back (mode d), as the account and IP do.
      const success = kind === 'success';
      const replies = await Promise.all(groups.map((group) => giveBack(group, rules, engaged, success)));
      const lifted = groups.flatMap((group, g) =>
        group.roles.filter((_, i) => (replies[g] as number[])[1 + i] === 1).map((role) => ROLE_SCOPE[role]),
      );
      return { now: (replies[0] as number[])[0] as number, lifted };
    },
    async clear(target, rules) {
      const groups: Group[] = [];
      if (target.account !== undefined) groups.push({ keys: [accountKeyOf(prefix, target.account)], roles: ['a'] });
      if (target.ip !== undefined) groups.push({ keys: [ipKeyOf(prefix, target.ip)], roles: ['i'] });
      const replies = await Promise.all(groups.map((group) => call(clear, group, rules)));
      return { now: replies[0]?.[0] ?? clock?.now() ?? Date.now() };
    },
    async inspect(target, rules): Promise<LockoutStatus> {
      const groups = groupsOf(target);
      const replies = await Promise.all(groups.map((group) => call(inspect, group, rules)));
      const status = { now: (replies[0] as number[])[0] as number } as Record<string, unknown>;
      groups.forEach((group, g) => {
        group.roles.forEach((role, i) => {
          const [count, level, lockedUntil] = (replies[g] as number[]).slice(1 + 3 * i, 4 + 3 * i);
          status[ROLE_SCOPE[role]] = { count, level, lockedUntil };
        });
      });
      return status as unknown as LockoutStatus;
    },
  };
}
