import { BulwarkError, ConfigError, type Duration, type EventSink, parseDuration } from '@bulwark/core';
import {
  checkRevocationTarget,
  parseRevocationMessage,
  type RevocationSnapshot,
  type RevocationStore,
  type RevocationTarget,
  SharedRevocationView,
} from '@bulwark/tokens';
import { heartbeatTail, newInstance, ownHeartbeat } from '../heartbeat.js';
import { type ListenerConnect, NotificationListener } from '../listener.js';
import { type PostgresStoreOptions, resolveStoreOptions } from '../options.js';
import { runQuery } from '../query.js';
import { bindStatements, channelName } from '../sql.js';
import { type SweepOptions, type SweepResult, sweepExpired } from '../sweep.js';
import { REVOCATION_STATEMENTS } from './statements.js';

export interface PostgresRevocationStoreOptions extends PostgresStoreOptions {
  /**
   * Opens the connection that LISTENs for revocations (it stays open for the store's life,
   * and is opened again when lost). Default: a client checked out of `pool` for good. Give
   * one when the pool goes through a transaction-mode pooler (PgBouncer), where LISTEN
   * does not work: `() => { const c = new pg.Client(directUrl); return c.connect().then(() => c); }`.
   */
  readonly listener?: ListenerConnect | undefined;
  /**
   * The longest this process may answer "not revoked" from its local view after the
   * channel stopped proving it complete (silent, disconnected, a lost message). Default
   * `2s`; between `100ms` and `1m`. Heartbeats go every half of it.
   */
  readonly maxStaleness?: Duration | undefined;
  /** What a failed lookup answers: `closed` (default) "revoked", `open` "not revoked". */
  readonly failurePolicy?: 'closed' | 'open' | undefined;
  /** Most revocations the local view holds. Default 100,000; past it, misses ask PostgreSQL. */
  readonly maxEntries?: number | undefined;
  /** `revocation.store_failure` events: the channel went stale or lost a message, PostgreSQL failed, the view is full. */
  readonly onEvent?: EventSink | undefined;
}

/** The PostgreSQL revocation store; `close()` stops its heartbeats and its listening connection. */
export interface PostgresRevocationStore extends RevocationStore {
  subscribe(listener: (target: RevocationTarget) => void): () => void;
  /** Deletes expired entries in bounded batches (run it from a timer or a cron job). */
  sweep(options?: SweepOptions): Promise<SweepResult>;
  close(): Promise<void>;
}

const OPTIONS = ['listener', 'maxStaleness', 'failurePolicy', 'maxEntries', 'onEvent'];

/**
 * A revocation store on PostgreSQL, shared by every process. A revocation is one statement,
 * one round trip: the entry (`jti` or `sid`, held until `until`, never shortened), its
 * number (one counter row, whose lock orders revocations) and its announcement
 * (`pg_notify`, delivered at commit, in commit order) together. Each process keeps a bounded
 * local view fed by its LISTEN connection, so `isRevoked` answers synchronously (no round
 * trip) while the channel is proven healthy (sequence numbers, and heartbeats every
 * `maxStaleness / 2` numbered under the counter's lock); `subscribe` tells a verifier's
 * cache at once. When the channel is silent, dropped or loses a message, the view stops
 * vouching for "not revoked" within `maxStaleness` (default 2 s): answers not in it become
 * Promises that ask PostgreSQL, with a `revocation.store_failure` event, until the view is
 * rebuilt from a snapshot. A failed or slow lookup follows `failurePolicy`: `closed`
 * (default) answers "revoked". Run `migrate(pool)` first.
 *
 * @example
 * ```ts
 * import { migrate, postgresRevocationStore } from '@bulwark/postgres';
 * import pg from 'pg';
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, statement_timeout: 5000 });
 * await migrate(pool);
 * const revocations = postgresRevocationStore({ pool });
 * // Logout, in any process: every process drops the token at once.
 * await revocations.revoke({ kind: 'sid', id: 'session-id', until: Date.now() + 15 * 60_000 });
 * // Shutdown:
 * await revocations.close();
 * ```
 */
export function postgresRevocationStore(options: PostgresRevocationStoreOptions): PostgresRevocationStore {
  const ctx = resolveStoreOptions(options, OPTIONS);
  if (options.listener !== undefined && typeof options.listener !== 'function') {
    throw new ConfigError('listener', 'expected a function answering a connected pg client');
  }
  const maxStaleness = parseDuration(options.maxStaleness ?? '2s', 'maxStaleness');
  if (maxStaleness < 100 || maxStaleness > 60_000) throw new ConfigError('maxStaleness', 'expected 100ms to 1m');
  const failurePolicy = options.failurePolicy ?? 'closed';
  if (failurePolicy !== 'closed' && failurePolicy !== 'open') {
    throw new ConfigError('failurePolicy', 'expected "closed" or "open"');
  }
  const maxEntries = options.maxEntries ?? 100_000;
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 1 || maxEntries > 10_000_000) {
    throw new ConfigError('maxEntries', 'expected an integer from 1 to 10,000,000');
  }
  if (options.onEvent !== undefined && typeof options.onEvent !== 'function') {
    throw new ConfigError('onEvent', 'expected a function');
  }
  const channel = channelName(ctx.schemaName, 'revocations');
  const sql = bindStatements(ctx.schema, REVOCATION_STATEMENTS);
  const instance = newInstance();
  const monotonic = () => performance.now();
  /**
   * The number a snapshot covered: a revocation announced before the snapshot was read
   * may still arrive after its answer; it is in the snapshot already, not a gap.
   */
  let covered: number | undefined;

  const view = new SharedRevocationView({
    store: 'postgres',
    maxEntries,
    maxStaleness,
    failurePolicy,
    onEvent: options.onEvent,
    monotonic,
    snapshot: async (): Promise<RevocationSnapshot> => {
      const result = await runQuery<{ seq: string; entries: Array<[string, string, number]> }>(
        ctx,
        'revocations.snapshot',
        sql.snapshot,
        [maxEntries],
      );
      const row = result.rows[0];
      if (row === undefined)
        throw new BulwarkError('store_unavailable', 'the revocation counter is missing (migrate?)');
      const seq = Number(row.seq);
      covered = seq;
      const count = row.entries.length;
      if (count > maxEntries) return { seq, count, entries: undefined };
      return {
        seq,
        count,
        entries: row.entries.map(([kind, id, until]) => [kind === 'j' ? 'jti' : 'sid', id, Number(until)] as const),
      };
    },
  });

  const onMessage = (payload: string) => {
    const heartbeat = ownHeartbeat(payload, instance, monotonic());
    if (heartbeat !== undefined) {
      view.onHeartbeat({ type: 'heartbeat', seq: heartbeat.seq, token: heartbeat.token });
      return;
    }
    const parsed = parseRevocationMessage(payload);
    if (parsed?.type !== 'revocation') return;
    if (covered !== undefined) {
      if (parsed.seq <= covered) {
        view.apply(parsed.kind, parsed.id, parsed.until);
        return;
      }
      covered = undefined;
    }
    view.onRevocation(parsed);
  };
  const listener = new NotificationListener({
    pool: ctx.pool,
    schema: ctx.schema,
    topic: 'revocations',
    channel,
    connect: options.listener,
    timeoutMs: ctx.timeoutMs,
    onMessage,
    onDisconnect: () => view.disconnected(),
  });
  let closed = false;

  const listen = async () => {
    await listener.start();
    view.subscribed();
    // Listening: whatever is revoked from now on reaches the view; the snapshot gives the rest.
    await view.resync();
  };
  void listen().catch(() => {});
  const beat = () =>
    runQuery(ctx, 'revocations.heartbeat', sql.heartbeat, [
      channel,
      heartbeatTail(instance, String(monotonic())),
    ]).catch(() => {});
  const tick = () => {
    if (closed) return;
    // Asking the view lets it notice a lapse (and emit) even when nothing is verified.
    void view.vouches;
    if (!listener.listening || monotonic() - view.lastHeard > 4 * maxStaleness) {
      // Not listening, or silent for long (heartbeats included): listen again.
      if (listener.listening) view.disconnected();
      void listen().catch(() => {});
    } else if (view.needsSync) {
      void view.resync();
    }
    void beat();
  };
  const timer = setInterval(tick, Math.max(1, Math.floor(maxStaleness / 2)));
  timer.unref?.();

  const ask = async (jti: string, sid: string | undefined, now: number): Promise<boolean> => {
    try {
      const result = await runQuery<{ jti: string | null; sid: string | null }>(ctx, 'revocations.lookup', sql.lookup, [
        jti,
        sid ?? null,
      ]);
      view.storeAnswered();
      const row = result.rows[0];
      const byJti = row?.jti == null ? 0 : Number(row.jti);
      const bySid = row?.sid == null ? 0 : Number(row.sid);
      if (byJti > now) view.apply('jti', jti, byJti);
      if (sid !== undefined && bySid > now) view.apply('sid', sid, bySid);
      return byJti > now || bySid > now;
    } catch (error) {
      view.storeFailed(error);
      return failurePolicy === 'closed';
    }
  };

  return {
    async revoke(target) {
      checkRevocationTarget(target);
      const { kind, id, until } = target;
      // This process first: its own verifier drops the token whatever PostgreSQL answers.
      view.apply(kind, id, until);
      try {
        await runQuery(ctx, 'revocations.revoke', sql.revoke, [kind === 'jti' ? 'j' : 's', id, until, channel]);
        view.storeAnswered();
      } catch (error) {
        view.storeFailed(error);
        throw new BulwarkError('store_unavailable', 'the revocation could not be recorded in PostgreSQL', {
          cause: error,
        });
      }
    },
    isRevoked(jti, sid, now) {
      if (view.table.isRevoked(jti, sid, now)) return true;
      if (view.vouches) return false;
      return ask(jti, sid, now);
    },
    subscribe: (onRevocation) => view.listeners.add(onRevocation),
    sweep: (sweepOptions) => sweepExpired(ctx, 'revocations.sweep', sql.sweep, sweepOptions),
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      view.close();
      await listener.close();
    },
  };
}
