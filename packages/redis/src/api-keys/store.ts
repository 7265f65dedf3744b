import type { ApiKeyRecord, ApiKeyRotateResult, ApiKeyStore } from '@bulwark/api-keys';
import { BulwarkError, ConfigError, checkOptions, type Duration, parseDuration } from '@bulwark/core';
import type { Cluster, Redis } from 'ioredis';
import { isClient, releaseSubscriber, script, within } from '../redis-call.js';
import { fromFields, toFields } from './codec.js';
import { InvalidationFeed } from './feed.js';
import { apiKeyKeys } from './keys.js';
import {
  CREATE_SCRIPT,
  CREDITS_SCRIPT,
  HEARTBEAT_SCRIPT,
  LIST_SCRIPT,
  REVOKE_SCRIPT,
  ROTATE_SCRIPT,
  TOUCH_SCRIPT,
} from './lua.js';

export interface RedisApiKeyStoreOptions {
  /** The ioredis `Redis` or `Cluster` client for commands (you create and own it). */
  readonly client: Redis | Cluster;
  /**
   * The connection that listens for invalidations (a subscribed connection runs no other
   * command). Default `client.duplicate()`, which `close()` quits; one you pass is only
   * unsubscribed by `close()`.
   */
  readonly subscriber?: Redis | Cluster | undefined;
  /** Key prefix, also the hash tag of every key (so: no braces). Default `bulwark:apikeys`. */
  readonly keyPrefix?: string | undefined;
  /**
   * The longest a process's verified-key cache may answer after its invalidation channel
   * stopped proving itself complete. Default `2s`; between `100ms` and `1m`. Heartbeats go
   * every half of it.
   */
  readonly maxStaleness?: Duration | undefined;
  /** How long a Redis call may take before it counts as failed. Default `1s`. */
  readonly timeout?: Duration | undefined;
  /** How long a revoked or expired record stays listable before Redis drops it. Default `30d`. */
  readonly retention?: Duration | undefined;
}

const COMMANDS = {
  create: ['bulwarkApiKeyCreate', CREATE_SCRIPT],
  list: ['bulwarkApiKeyList', LIST_SCRIPT],
  revoke: ['bulwarkApiKeyRevoke', REVOKE_SCRIPT],
  rotate: ['bulwarkApiKeyRotate', ROTATE_SCRIPT],
  touch: ['bulwarkApiKeyTouch', TOUCH_SCRIPT],
  credits: ['bulwarkApiKeyCredits', CREDITS_SCRIPT],
  heartbeat: ['bulwarkApiKeyHeartbeat', HEARTBEAT_SCRIPT],
} as const;

const unavailable = (error: unknown) =>
  error instanceof BulwarkError
    ? error
    : new BulwarkError('store_unavailable', 'the API-key store could not be reached', { cause: error });

/**
 * The API-key store on Redis (an ioredis `Redis` or `Cluster` client), shared by every
 * process. Each operation is one round trip: `get` one `HGETALL`, every other one Lua
 * script (EVALSHA with a NOSCRIPT fallback) with Redis `TIME` for revocation, rotation,
 * `lastUsedAt` and credits. Revocation and rotation announce themselves, numbered, on a
 * pub/sub channel in the same atomic step, and every process's verified-key cache drops
 * the key at once; heartbeats bound how long a silent channel is trusted (`maxStaleness`),
 * after which verifies read Redis (and a failed read refuses the key: fail closed). Every
 * key carries the prefix as its hash tag: Cluster-safe.
 *
 * @example
 * ```ts
 * import { apiKeys } from '@bulwark/api-keys';
 * import { redisApiKeyStore } from '@bulwark/redis';
 * import { Redis } from 'ioredis';
 *
 * const keys = apiKeys({ store: redisApiKeyStore({ client: new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379') }) });
 * // Shutdown: await keys.close();
 * ```
 */
export function redisApiKeyStore(options: RedisApiKeyStoreOptions): ApiKeyStore {
  checkOptions(options, ['client', 'subscriber', 'keyPrefix', 'maxStaleness', 'timeout', 'retention']);
  const { client } = options;
  if (!isClient(client)) throw new ConfigError('client', 'expected an ioredis Redis or Cluster client');
  if (options.subscriber !== undefined && !isClient(options.subscriber)) {
    throw new ConfigError('subscriber', 'expected an ioredis Redis or Cluster client');
  }
  if (options.subscriber === client) {
    throw new ConfigError(
      'subscriber',
      'must be another connection than client (a subscribed connection runs no command)',
    );
  }
  const keys = apiKeyKeys(options.keyPrefix ?? 'bulwark:apikeys');
  const maxStaleness = parseDuration(options.maxStaleness ?? '2s', 'maxStaleness');
  if (maxStaleness < 100 || maxStaleness > 60_000) throw new ConfigError('maxStaleness', 'expected 100ms to 1m');
  const timeout = parseDuration(options.timeout ?? '1s', 'timeout');
  if (timeout < 1 || timeout > 60_000) throw new ConfigError('timeout', 'expected 1ms to 1m');
  const retention = parseDuration(options.retention ?? '30d', 'retention');
  if (retention < 1000) throw new ConfigError('retention', 'expected at least 1s');

  const call = Object.fromEntries(
    Object.entries(COMMANDS).map(([op, [name, lua]]) => [op, script(client, name, lua)]),
  ) as Record<keyof typeof COMMANDS, ReturnType<typeof script>>;
  const run = async <T>(promise: Promise<T>): Promise<T> => {
    try {
      return await within(promise, timeout);
    } catch (error) {
      throw unavailable(error);
    }
  };

  const ownSubscriber = options.subscriber === undefined;
  const subscriber = options.subscriber ?? client.duplicate();
  const instance = globalThis.crypto.randomUUID();
  const heartbeats = keys.heartbeats(instance);
  const channels = [keys.events, heartbeats];
  const monotonic = () => performance.now();
  const feed = new InvalidationFeed(maxStaleness, monotonic);
  let closed = false;

  const onMessage = (channel: string, message: string) => {
    if (channel === keys.events) feed.onMessage(message, false);
    else if (channel === heartbeats) feed.onMessage(message, true);
  };
  const onDisconnect = () => feed.disconnected();
  const onError = () => {};
  subscriber.on('message', onMessage);
  subscriber.on('close', onDisconnect);
  subscriber.on('error', onError);
  const subscribe = async () => {
    await within(subscriber.subscribe(...channels), timeout);
    feed.subscribed();
  };
  const beat = () => within(call.heartbeat(1, keys.seq, heartbeats, String(monotonic())), timeout).catch(() => {});
  void subscribe().then(beat, () => {});
  const timer = setInterval(
    () => {
      if (closed) return;
      if (monotonic() - feed.lastHeard > 4 * maxStaleness) {
        // Silent for long, heartbeats included: subscribe again (someone may have unsubscribed us).
        feed.disconnected();
        void subscribe().catch(() => {});
      }
      void beat();
    },
    Math.max(1, Math.floor(maxStaleness / 2)),
  );
  timer.unref?.();

  const pexpireAt = (record: ApiKeyRecord) => {
    const end = record.revokedAt ?? record.expiresAt;
    return end === null ? '' : String(end + retention);
  };
  const owner = (ownerId: string | undefined) => (ownerId === undefined ? ['0', ''] : ['1', ownerId]);

  return {
    invalidations: feed,
    async create(record) {
      const created = await run(
        call.create(
          2,
          keys.record(record.id),
          keys.owner(record.ownerId),
          record.id,
          String(record.createdAt),
          pexpireAt(record),
          ...toFields(record),
        ),
      );
      if (Number(created) !== 1) throw new BulwarkError('store_conflict', 'an API key with this id exists');
    },
    async get(id) {
      return fromFields(await run(client.hgetall(keys.record(id))));
    },
    async list(ownerId) {
      const reply = (await run(call.list(1, keys.owner(ownerId), keys.record('')))) as string[][];
      return reply.map(fromFields).filter((r): r is ApiKeyRecord => r !== undefined);
    },
    async revoke(id, ownerId) {
      const reply = await run(call.revoke(2, keys.record(id), keys.seq, ...owner(ownerId), keys.events, retention, id));
      if (reply === null) return undefined;
      // This process first: its own caches drop the key whatever the channel does.
      feed.notify(id);
      return fromFields(reply as string[]);
    },
    async rotate(id, ownerId, replacement, overlapMs): Promise<ApiKeyRotateResult> {
      const reply = (await run(
        call.rotate(
          4,
          keys.record(id),
          keys.record(replacement.id),
          keys.owner(replacement.ownerId),
          keys.seq,
          ...owner(ownerId),
          keys.events,
          retention,
          overlapMs,
          replacement.id,
          String(replacement.createdAt),
          pexpireAt(replacement),
          ...toFields(replacement),
        ),
      )) as [string, string[]?];
      const [status, fields] = reply;
      if (status === 'conflict') throw new BulwarkError('store_conflict', 'an API key with this id exists');
      if (status !== 'ok') return { ok: false, reason: status as 'not_found' | 'revoked' | 'expired' | 'rotated' };
      feed.notify(id);
      return { ok: true, previous: fromFields(fields as string[]) as ApiKeyRecord };
    },
    async touch(id, minIntervalMs) {
      await run(call.touch(1, keys.record(id), minIntervalMs));
    },
    async consumeCredits(id, cost) {
      const reply = (await run(call.credits(1, keys.record(id), cost))) as number[] | null;
      if (reply === null) return undefined;
      if (reply[0] === 0) return { limited: false };
      return { limited: true, ok: reply[1] === 1, remaining: Number(reply[2]) };
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      feed.close();
      subscriber.off('message', onMessage);
      subscriber.off('close', onDisconnect);
      await releaseSubscriber(subscriber, ownSubscriber, channels, onError, timeout);
    },
  };
}
