import { BulwarkError, ConfigError, checkOptions, type Duration, type EventSink, parseDuration } from '@bulwark/core';
import { checkRevocationTarget, type RevocationStore, type RevocationTarget } from '@bulwark/tokens';
import type { Cluster, Redis } from 'ioredis';
import { isClient, releaseSubscriber, script, within } from '../redis-call.js';
import { revocationKeys } from './keys.js';
import { HEARTBEAT_SCRIPT, REVOKE_SCRIPT, SNAPSHOT_SCRIPT } from './lua.js';
import { parseMessage } from './messages.js';
import { LocalView, type RevocationSnapshot } from './view.js';

export interface RedisRevocationStoreOptions {
  /** The ioredis `Redis` or `Cluster` client for commands (you create and own it). */
  readonly client: Redis | Cluster;
  /**
   * The connection that listens on the notification channel (a subscribed connection
   * runs no other command). Default `client.duplicate()`, which `close()` quits; one you
   * pass is only unsubscribed by `close()`.
   */
  readonly subscriber?: Redis | Cluster | undefined;
  /** Key prefix, also the hash tag of every key (so: no braces). Default `bulwark:revocation`. */
  readonly keyPrefix?: string | undefined;
  /**
   * The longest this process may answer "not revoked" from its local view after the
   * channel stopped proving it complete (silent, disconnected, a lost message). Default
   * `2s`; between `100ms` and `1m`. Heartbeats go every half of it.
   */
  readonly maxStaleness?: Duration | undefined;
  /** What a failed Redis call answers: `closed` (default) "revoked", `open` "not revoked". */
  readonly failurePolicy?: 'closed' | 'open' | undefined;
  /** How long a Redis call may take before it counts as failed. Default `1s`. */
  readonly timeout?: Duration | undefined;
  /** Most revocations the local view holds. Default 100,000; past it, misses ask Redis. */
  readonly maxEntries?: number | undefined;
  /** `revocation.store_failure` events: the channel went stale or lost a message, Redis failed, the view is full. */
  readonly onEvent?: EventSink | undefined;
}

/** The Redis revocation store; `close()` stops its heartbeats and releases its subscriber. */
export interface RedisRevocationStore extends RevocationStore {
  subscribe(listener: (target: RevocationTarget) => void): () => void;
  close(): Promise<void>;
}

const REVOKE_COMMAND = 'bulwarkRevocationRevoke';
const SNAPSHOT_COMMAND = 'bulwarkRevocationSnapshot';
const HEARTBEAT_COMMAND = 'bulwarkRevocationHeartbeat';

function snapshotOf(reply: unknown, maxEntries: number): RevocationSnapshot {
  const [seq, , count, flat] = reply as [number | string, number | string, number | string, string[] | undefined];
  if (flat === undefined || Number(count) > maxEntries) {
    return { seq: Number(seq), count: Number(count), entries: undefined };
  }
  const entries: Array<['jti' | 'sid', string, number]> = [];
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const member = flat[i] as string;
    entries.push([member[0] === 'j' ? 'jti' : 'sid', member.slice(1), Number(flat[i + 1])]);
  }
  return { seq: Number(seq), count: Number(count), entries };
}

/**
 * A revocation store on Redis (an ioredis `Redis` or `Cluster` client), shared by every
 * process. A revocation is one Lua script, one round trip: the entry is set with a TTL of
 * its remaining life (`{prefix}:j:<jti>` or `{prefix}:s:<sid>`, `PX` = until - Redis
 * `TIME`), indexed, numbered and announced on a pub/sub channel in one atomic step. Each
 * process keeps a bounded local view fed by the channel, so `isRevoked` answers
 * synchronously (no round trip) while the channel is proven healthy (sequence numbers and
 * heartbeats every `maxStaleness / 2`, see `LocalView`); and `subscribe` tells a
 * verifier's cache at once. When the channel is silent, dropped or loses a message, the
 * view stops vouching for "not revoked" within `maxStaleness` (default 2 s): answers not
 * in it become Promises that ask Redis, with a `revocation.store_failure` event, until the
 * view is rebuilt from a snapshot. A failed or slow Redis answer follows `failurePolicy`:
 * `closed` (default) answers "revoked", so the token is refused. Every key carries the
 * prefix as its hash tag: Cluster-safe.
 *
 * @example
 * ```ts
 * import Redis from 'ioredis';
 *
 * const revocations = redisRevocationStore({ client: new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379') });
 * // Logout, in any process: every process drops the token at once.
 * await revocations.revoke({ kind: 'sid', id: 'session-id', until: Date.now() + 15 * 60_000 });
 * // Shutdown:
 * await revocations.close();
 * ```
 */
export function redisRevocationStore(options: RedisRevocationStoreOptions): RedisRevocationStore {
  checkOptions(options, [
    'client',
    'subscriber',
    'keyPrefix',
    'maxStaleness',
    'failurePolicy',
    'timeout',
    'maxEntries',
    'onEvent',
  ]);
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
  const keys = revocationKeys(options.keyPrefix ?? 'bulwark:revocation');
  const maxStaleness = parseDuration(options.maxStaleness ?? '2s', 'maxStaleness');
  if (maxStaleness < 100 || maxStaleness > 60_000) throw new ConfigError('maxStaleness', 'expected 100ms to 1m');
  const timeout = parseDuration(options.timeout ?? '1s', 'timeout');
  if (timeout < 1 || timeout > 60_000) throw new ConfigError('timeout', 'expected 1ms to 1m');
  const failurePolicy = options.failurePolicy ?? 'closed';
  if (failurePolicy !== 'closed' && failurePolicy !== 'open') {
    throw new ConfigError('failurePolicy', 'expected "closed" or "open"');
  }
  const maxEntries = options.maxEntries ?? 100_000;
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
    throw new ConfigError('maxEntries', 'expected a positive integer');
  }
  if (options.onEvent !== undefined && typeof options.onEvent !== 'function') {
    throw new ConfigError('onEvent', 'expected a function');
  }

  const revokeScript = script(client, REVOKE_COMMAND, REVOKE_SCRIPT);
  const snapshotScript = script(client, SNAPSHOT_COMMAND, SNAPSHOT_SCRIPT);
  const heartbeatScript = script(client, HEARTBEAT_COMMAND, HEARTBEAT_SCRIPT);
  const ownSubscriber = options.subscriber === undefined;
  const subscriber = options.subscriber ?? client.duplicate();
  const instance = globalThis.crypto.randomUUID();
  const heartbeats = keys.heartbeats(instance);
  const channels = [keys.events, heartbeats];
  const monotonic = () => performance.now();
  const view = new LocalView({
    store: 'redis',
    maxEntries,
    maxStaleness,
    failurePolicy,
    onEvent: options.onEvent,
    monotonic,
    snapshot: async () =>
      snapshotOf(await within(snapshotScript(2, keys.seq, keys.index, maxEntries), timeout), maxEntries),
  });
  let closed = false;

  const onMessage = (channel: string, message: string) => {
    if (channel !== keys.events && channel !== heartbeats) return;
    const parsed = parseMessage(message);
    if (parsed?.type === 'revocation' && channel === keys.events) view.onRevocation(parsed);
    else if (parsed?.type === 'heartbeat' && channel === heartbeats) view.onHeartbeat(parsed);
  };
  const onDisconnect = () => view.disconnected();
  // Errors of the connection show as lost heartbeats; an unhandled 'error' would only log.
  const onError = () => {};
  subscriber.on('message', onMessage);
  subscriber.on('close', onDisconnect);
  subscriber.on('error', onError);

  const subscribe = async () => {
    await within(subscriber.subscribe(...channels), timeout);
    view.subscribed();
    // Subscribed: whatever is revoked from now on reaches the view; the snapshot gives the rest.
    await view.resync();
  };
  void subscribe().catch(() => {});

  const tick = () => {
    if (closed) return;
    // Asking the view lets it notice a lapse (and emit) even when nothing is verified.
    void view.vouches;
    // A channel that has said nothing for long, heartbeats included, is subscribed again
    // (someone may have unsubscribed the connection behind our back).
    if (monotonic() - view.lastHeard > 4 * maxStaleness) {
      view.disconnected();
      void subscribe().catch(() => {});
    } else if (view.needsSync) {
      void view.resync();
    }
    void within(heartbeatScript(1, keys.seq, heartbeats, String(monotonic())), timeout).catch(() => {});
  };
  const timer = setInterval(tick, Math.max(1, Math.floor(maxStaleness / 2)));
  timer.unref?.();

  const ask = async (jti: string, sid: string | undefined, now: number): Promise<boolean> => {
    try {
      const reply = (await within(
        sid === undefined
          ? client.mget(keys.entry('jti', jti))
          : client.mget(keys.entry('jti', jti), keys.entry('sid', sid)),
        timeout,
      )) as Array<string | null>;
      view.storeAnswered();
      const [byJti, bySid] = reply.map((value) => (value === null || value === undefined ? 0 : Number(value)));
      if ((byJti as number) > now) view.apply('jti', jti, byJti as number);
      if (sid !== undefined && (bySid as number) > now) view.apply('sid', sid, bySid as number);
      return (byJti as number) > now || (bySid ?? 0) > now;
    } catch (error) {
      view.storeFailed(error);
      return failurePolicy === 'closed';
    }
  };

  return {
    async revoke(target) {
      checkRevocationTarget(target);
      const { kind, id, until } = target;
      // This process first: its own verifier drops the token whatever Redis answers.
      view.apply(kind, id, until);
      try {
        await within(
          revokeScript(
            3,
            keys.seq,
            keys.index,
            keys.entry(kind, id),
            kind[0] as string,
            id,
            String(until),
            keys.events,
          ),
          timeout,
        );
        view.storeAnswered();
      } catch (error) {
        view.storeFailed(error);
        throw new BulwarkError('store_unavailable', 'the revocation could not be recorded in Redis', { cause: error });
      }
    },
    isRevoked(jti, sid, now) {
      if (view.table.isRevoked(jti, sid, now)) return true;
      if (view.vouches) return false;
      return ask(jti, sid, now);
    },
    subscribe: (listener) => view.listeners.add(listener),
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      view.close();
      subscriber.off('message', onMessage);
      subscriber.off('close', onDisconnect);
      await releaseSubscriber(subscriber, ownSubscriber, channels, onError, timeout);
    },
  };
}
