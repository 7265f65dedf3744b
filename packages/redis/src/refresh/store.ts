import { BulwarkError, ConfigError, checkOptions, type Duration, parseDuration } from '@bulwark/core';
import { type CreateFamilyInput, type RefreshTokenStore, type RotateInput, SUBJECT_TAG_LENGTH } from '@bulwark/tokens';
import type { Cluster, Redis } from 'ioredis';
import { script } from '../redis-call.js';
import { RedisDeadlines } from './deadline.js';
import { refreshKeys } from './keys.js';
import {
  CREATE_FAMILY_SCRIPT,
  GET_FAMILY_SCRIPT,
  REVOKE_FAMILY_SCRIPT,
  REVOKE_SUBJECT_SCRIPT,
  ROTATE_SCRIPT,
} from './lua.js';
import { familyStateOf, rotateResultOf } from './replies.js';

export interface RedisRefreshTokenStoreOptions {
  /** The ioredis `Redis` or `Cluster` client (you create and own it; `enableOfflineQueue: false` advised). */
  readonly client: Redis | Cluster;
  /** Key prefix: `[A-Za-z0-9._:-]`, no braces (the subject tag is the hash tag). Default `bulwark:refresh`. */
  readonly prefix?: string | undefined;
  /** How long an operation may wait for Redis before it rejects (`store_timeout`). Default `1s`, at most `1m`. */
  readonly timeout?: Duration | undefined;
  /**
   * How long a family's record outlives its end (its idle or absolute expiry), so that
   * its tokens answer `expired` or `revoked` rather than `unknown` for a while. Default
   * `1d`; between `1m` and `30d`. Then Redis drops it (its TTL).
   */
  readonly endedRetention?: Duration | undefined;
}

const COMMANDS = {
  create: ['bulwarkRefreshCreate', CREATE_FAMILY_SCRIPT],
  rotate: ['bulwarkRefreshRotate', ROTATE_SCRIPT],
  revokeFamily: ['bulwarkRefreshRevokeFamily', REVOKE_FAMILY_SCRIPT],
  revokeSubject: ['bulwarkRefreshRevokeSubject', REVOKE_SUBJECT_SCRIPT],
  getFamily: ['bulwarkRefreshGetFamily', GET_FAMILY_SCRIPT],
} as const;

function isClient(value: unknown): value is Redis | Cluster {
  return value !== null && typeof value === 'object' && typeof (value as Redis).defineCommand === 'function';
}

function invalid(what: string): never {
  throw new BulwarkError('invalid_argument', what);
}

function checkCreateInput(input: CreateFamilyInput): void {
  const positive = (n: unknown) => Number.isSafeInteger(n) && (n as number) > 0;
  const { familyId, subjectTag } = input;
  if (typeof familyId !== 'string' || typeof subjectTag !== 'string' || subjectTag.length !== SUBJECT_TAG_LENGTH) {
    invalid(`createFamily: familyId must be a string and subjectTag ${SUBJECT_TAG_LENGTH} characters`);
  }
  if (!familyId.startsWith(subjectTag) || familyId.length <= subjectTag.length || /[{}]/.test(subjectTag)) {
    invalid('createFamily: a family id begins with its subject tag (no braces)');
  }
  if (typeof input.subject !== 'string' || typeof input.clientId !== 'string' || typeof input.tokenHash !== 'string') {
    invalid('createFamily: subject, clientId and tokenHash must be strings');
  }
  if (!Array.isArray(input.scopes) || input.scopes.some((s) => typeof s !== 'string')) {
    invalid('createFamily: scopes must be an array of strings');
  }
  if (!positive(input.absoluteLifetimeMs) || !positive(input.idleLifetimeMs) || !positive(input.maxFamilies)) {
    invalid('createFamily: the lifetimes and maxFamilies must be positive integers');
  }
}

function checkRotateInput(input: RotateInput): void {
  const { familyId, presentedHash, childHash, sealedChild, graceMs, idleLifetimeMs } = input;
  if ([familyId, presentedHash, childHash, sealedChild].some((s) => typeof s !== 'string')) {
    invalid('rotate: familyId, presentedHash, childHash and sealedChild must be strings');
  }
  if (!Number.isSafeInteger(graceMs) || graceMs < 0 || !Number.isSafeInteger(idleLifetimeMs) || idleLifetimeMs < 1) {
    invalid('rotate: graceMs must be a non-negative integer and idleLifetimeMs a positive one');
  }
}

/**
 * The refresh-token store on Redis (an ioredis `Redis` or `Cluster` client, shared by
 * every process). Each operation of the port is one Lua script, one round trip (`EVALSHA`,
 * `EVAL` on `NOSCRIPT`; SHAs pinned by a test), timed by Redis `TIME`: the grace window and
 * the lifetimes are the same for every app server whatever its clock. All of one user's
 * keys carry the subject tag as hash tag (`{<tag>}`, the start of each family id), so on
 * a Cluster the per-user cap and revoke-all are atomic in one slot. Every key has a TTL:
 * a family lives until its end (idle or absolute expiry) plus `endedRetention`, its spent
 * hashes with it; the sealed child of a rotation for its grace window plus one second.
 * Redis holds hashes of tokens and the sealed child only, never a usable token.
 *
 * A Redis call that fails rejects with `store_unavailable`, one slower than `timeout`
 * with `store_timeout` (both a 503 at an adapter): a rotation is never answered from
 * anywhere else. `rotate` and `createFamily` carry their deadline in Redis's clock: one
 * that reaches Redis after its caller gave up (a stall) changes nothing, so the client's
 * retry finds its token still live. A rotation whose reply alone was lost did happen:
 * with a grace window, the client's retry gets the same child.
 *
 * @example
 * ```ts
 * import { redisRefreshTokenStore } from '@bulwark/redis';
 * import { refreshTokens } from '@bulwark/tokens';
 * import { Redis } from 'ioredis';
 *
 * const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { enableOfflineQueue: false });
 * const refresh = refreshTokens({ store: redisRefreshTokenStore({ client: redis }), grace: '10s' });
 * const issued = await refresh.issue({ subject: 'user-42', clientId: 'notes-spa', scopes: ['notes:read'] });
 * const outcome = await refresh.rotate(issued.token); // one EVALSHA
 * ```
 */
export function redisRefreshTokenStore(options: RedisRefreshTokenStoreOptions): RefreshTokenStore {
  checkOptions(options, ['client', 'prefix', 'timeout', 'endedRetention']);
  const { client } = options;
  if (!isClient(client)) throw new ConfigError('client', 'expected an ioredis Redis or Cluster client');
  const keys = refreshKeys(options.prefix ?? 'bulwark:refresh');
  const timeout = parseDuration(options.timeout ?? '1s', 'timeout');
  if (timeout < 1 || timeout > 60_000) throw new ConfigError('timeout', 'expected 1ms to 1m');
  const retention = parseDuration(options.endedRetention ?? '1d', 'endedRetention');
  if (retention < 60_000 || retention > 30 * 86_400_000) {
    throw new ConfigError('endedRetention', 'expected 1m to 30d');
  }
  const create = script(client, ...COMMANDS.create);
  const rotate = script(client, ...COMMANDS.rotate);
  const revokeFamily = script(client, ...COMMANDS.revokeFamily);
  const revokeSubject = script(client, ...COMMANDS.revokeSubject);
  const getFamily = script(client, ...COMMANDS.getFamily);

  /** One script call, bounded by `timeout`; any failure becomes a store error that names no secret. */
  const call = (op: string, run: () => Promise<unknown>): Promise<unknown> => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new BulwarkError('store_timeout', `refresh-token store ${op}: Redis did not answer within ${timeout} ms`),
          ),
        timeout,
      );
    });
    const answered = run().catch((error: unknown) => {
      throw new BulwarkError('store_unavailable', `refresh-token store ${op}: the Redis call failed`, { cause: error });
    });
    return Promise.race([answered, expired]).finally(() => clearTimeout(timer));
  };
  const deadlines = new RedisDeadlines();
  /**
   * A call that changes state and must not do it late: it carries its deadline (see
   * deadline.ts); a script that starts past it answers { -2, now } and changes nothing.
   */
  const changing = async (op: string, run: (deadline: string) => Promise<unknown>): Promise<unknown[]> => {
    const deadline = deadlines.argument(deadlines.local() + timeout);
    const reply = (await call(op, () =>
      // Learns from every reply, one that arrives after the timeout answered included.
      run(deadline).then((answer) => {
        const values = answer as unknown[];
        deadlines.learn(Number(values[1]), Number(values[0]) === -2);
        return values;
      }),
    )) as unknown[];
    if (Number(reply[0]) === -2) {
      throw new BulwarkError(
        'store_deadline_passed',
        `refresh-token store ${op}: reached Redis after its deadline; nothing changed`,
      );
    }
    return reply;
  };

  return {
    async createFamily(input) {
      checkCreateInput(input);
      const { familyId, subjectTag } = input;
      const reply = (await changing('createFamily', (deadline) =>
        create(
          4,
          keys.family(familyId),
          keys.subjectIndex(input.subject, subjectTag),
          keys.familyPrefix(subjectTag),
          keys.gracePrefix(subjectTag),
          familyId,
          input.subject,
          input.clientId,
          JSON.stringify(input.scopes),
          input.tokenHash,
          input.absoluteLifetimeMs,
          input.idleLifetimeMs,
          input.maxFamilies,
          retention,
          deadline,
        ),
      )) as Array<string | number>;
      if (Number(reply[0]) === -1) {
        throw new BulwarkError('store_conflict', 'a refresh family with this id already exists');
      }
      return {
        now: Number(reply[1]),
        absoluteExpiresAt: Number(reply[2]),
        idleExpiresAt: Number(reply[3]),
        evicted: reply.slice(4).map(String),
      };
    },
    async rotate(input) {
      checkRotateInput(input);
      const { familyId } = input;
      const reply = await changing('rotate', (deadline) =>
        rotate(
          2,
          keys.family(familyId),
          keys.grace(familyId),
          input.presentedHash,
          input.childHash,
          input.sealedChild,
          input.graceMs,
          input.idleLifetimeMs,
          retention,
          deadline,
        ),
      );
      return rotateResultOf(familyId, reply);
    },
    async revokeFamily(familyId) {
      if (typeof familyId !== 'string') invalid('revokeFamily: familyId must be a string');
      const reply = await call('revokeFamily', () => revokeFamily(2, keys.family(familyId), keys.grace(familyId)));
      return Number(reply) === 1;
    },
    async revokeSubject(subject, subjectTag) {
      if (typeof subject !== 'string' || typeof subjectTag !== 'string') {
        invalid('revokeSubject: subject and subjectTag must be strings');
      }
      const reply = await call('revokeSubject', () =>
        revokeSubject(
          3,
          keys.subjectIndex(subject, subjectTag),
          keys.familyPrefix(subjectTag),
          keys.gracePrefix(subjectTag),
          subject,
        ),
      );
      return (reply as unknown[]).map(String);
    },
    async getFamily(familyId) {
      if (typeof familyId !== 'string') invalid('getFamily: familyId must be a string');
      return familyStateOf(familyId, await call('getFamily', () => getFamily(1, keys.family(familyId))));
    },
  };
}
