import { type ApiKeyRotateResult, type ApiKeyStore, InvalidationFeed } from '@bulwark/api-keys';
import { BulwarkError, ConfigError, type Duration, parseDuration } from '@bulwark/core';
import { heartbeatTail, newInstance, ownHeartbeat } from '../heartbeat.js';
import { type ListenerConnect, NotificationListener } from '../listener.js';
import { type PostgresStoreOptions, resolveStoreOptions } from '../options.js';
import { runQuery } from '../query.js';
import { bindStatements, channelName } from '../sql.js';
import { type SweepOptions, type SweepResult, sweepExpired } from '../sweep.js';
import { type ApiKeyRow, fromRow, toRow } from './codec.js';
import { API_KEY_STATEMENTS } from './statements.js';

export interface PostgresApiKeyStoreOptions extends PostgresStoreOptions {
  /**
   * Opens the connection that LISTENs for invalidations (kept open, opened again when
   * lost). Default: a client checked out of `pool` for good. Give one when the pool goes
   * through a transaction-mode pooler (PgBouncer), where LISTEN does not work.
   */
  readonly listener?: ListenerConnect | undefined;
  /**
   * The longest a process's verified-key cache may answer after its invalidation channel
   * stopped proving itself complete. Default `2s`; between `100ms` and `1m`. Heartbeats go
   * every half of it.
   */
  readonly maxStaleness?: Duration | undefined;
  /** How long a revoked or expired key stays listable before the sweep may delete it. Default `30d`. */
  readonly retention?: Duration | undefined;
}

/** The PostgreSQL API-key store: the port, plus the sweep of reclaimable keys. */
export interface PostgresApiKeyStore extends ApiKeyStore {
  /** Deletes keys past their end plus `retention`, in bounded batches (run it from a timer or a cron job). */
  sweep(options?: SweepOptions): Promise<SweepResult>;
  close(): Promise<void>;
}

const OPTIONS = ['listener', 'maxStaleness', 'retention'];
const conflict = () => new BulwarkError('store_conflict', 'an API key with this id exists');

/**
 * The API-key store on PostgreSQL, shared by every process. Each operation is one round
 * trip: `create`, `get`, `list` and `touch` one statement; `revoke`, `rotate` and
 * `consumeCredits` one call of a function the migrations install, which locks the key's
 * row (of parallel rotations exactly one wins; credits never go below zero), with the
 * database's clock for revocation, rotation, `lastUsedAt` and credits. Revocation and
 * rotation are numbered and announced (`pg_notify`, delivered at commit in commit order)
 * in the same transaction, and every process's verified-key cache drops the key at once;
 * heartbeats bound how long a silent channel is trusted (`maxStaleness`), after which
 * verifies read PostgreSQL (and a failed read refuses the key: fail closed). Only the key's
 * digest is stored. Run `migrate(pool)` first.
 *
 * @example
 * ```ts
 * import { apiKeys } from '@bulwark/api-keys';
 * import { migrate, postgresApiKeyStore } from '@bulwark/postgres';
 * import pg from 'pg';
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, statement_timeout: 5000 });
 * await migrate(pool);
 * const keys = apiKeys({ store: postgresApiKeyStore({ pool }) });
 * // Shutdown: await keys.close();
 * ```
 */
export function postgresApiKeyStore(options: PostgresApiKeyStoreOptions): PostgresApiKeyStore {
  const ctx = resolveStoreOptions(options, OPTIONS);
  if (options.listener !== undefined && typeof options.listener !== 'function') {
    throw new ConfigError('listener', 'expected a function answering a connected pg client');
  }
  const maxStaleness = parseDuration(options.maxStaleness ?? '2s', 'maxStaleness');
  if (maxStaleness < 100 || maxStaleness > 60_000) throw new ConfigError('maxStaleness', 'expected 100ms to 1m');
  const retention = parseDuration(options.retention ?? '30d', 'retention');
  if (retention < 1000) throw new ConfigError('retention', 'expected at least 1s');
  const channel = channelName(ctx.schemaName, 'api_keys');
  const sql = bindStatements(ctx.schema, API_KEY_STATEMENTS);
  const instance = newInstance();
  const monotonic = () => performance.now();
  const feed = new InvalidationFeed(maxStaleness, monotonic);

  const onMessage = (payload: string) => {
    if (payload.startsWith('i ')) {
      feed.onMessage(payload, false);
      return;
    }
    const heartbeat = ownHeartbeat(payload, instance, monotonic());
    if (heartbeat !== undefined) feed.onMessage('h '.concat(String(heartbeat.seq), ' ', heartbeat.token), true);
  };
  const listener = new NotificationListener({
    pool: ctx.pool,
    schema: ctx.schema,
    topic: 'api_keys',
    channel,
    connect: options.listener,
    timeoutMs: ctx.timeoutMs,
    onMessage,
    onDisconnect: () => feed.disconnected(),
  });
  let closed = false;
  const beat = () =>
    runQuery(ctx, 'apiKeys.heartbeat', sql.heartbeat, [channel, heartbeatTail(instance, String(monotonic()))]).catch(
      () => {},
    );
  const listen = async () => {
    await listener.start();
    feed.subscribed();
  };
  void listen().then(beat, () => {});
  const timer = setInterval(
    () => {
      if (closed) return;
      if (!listener.listening || monotonic() - feed.lastHeard > 4 * maxStaleness) {
        // Not listening, or silent for long (heartbeats included): listen again.
        if (listener.listening) feed.disconnected();
        void listen().catch(() => {});
      }
      void beat();
    },
    Math.max(1, Math.floor(maxStaleness / 2)),
  );
  timer.unref?.();

  return {
    invalidations: feed,
    async create(record) {
      const result = await runQuery(ctx, 'apiKeys.create', sql.create, [JSON.stringify(toRow(record, retention))]);
      if (result.rowCount !== 1) throw conflict();
    },
    async get(id) {
      const result = await runQuery<{ row: ApiKeyRow }>(ctx, 'apiKeys.get', sql.get, [id]);
      const row = result.rows[0];
      return row === undefined ? undefined : fromRow(row.row);
    },
    async list(ownerId) {
      const result = await runQuery<{ row: ApiKeyRow }>(ctx, 'apiKeys.list', sql.list, [ownerId]);
      return result.rows.map((r) => fromRow(r.row));
    },
    async revoke(id, ownerId) {
      const result = await runQuery<{ row: ApiKeyRow }>(ctx, 'apiKeys.revoke', sql.revoke, [
        id,
        ownerId ?? null,
        channel,
        retention,
      ]);
      const row = result.rows[0];
      if (row === undefined) return undefined;
      // This process first: its own caches drop the key whatever the channel does.
      feed.notify(id);
      return fromRow(row.row);
    },
    async rotate(id, ownerId, replacement, overlapMs): Promise<ApiKeyRotateResult> {
      if (!Number.isSafeInteger(overlapMs) || overlapMs < 0) {
        throw new BulwarkError('invalid_argument', 'overlapMs is a non-negative integer');
      }
      const result = await runQuery<{ status: string; previous: ApiKeyRow | null }>(ctx, 'apiKeys.rotate', sql.rotate, [
        id,
        ownerId ?? null,
        channel,
        retention,
        overlapMs,
        JSON.stringify(toRow(replacement, retention)),
      ]);
      const { status, previous } = result.rows[0] as { status: string; previous: ApiKeyRow | null };
      if (status === 'conflict') throw conflict();
      if (status !== 'ok' || previous === null) {
        return { ok: false, reason: status as 'not_found' | 'revoked' | 'expired' | 'rotated' };
      }
      feed.notify(id);
      return { ok: true, previous: fromRow(previous) };
    },
    async touch(id, minIntervalMs) {
      await runQuery(ctx, 'apiKeys.touch', sql.touch, [id, Math.max(0, Math.floor(minIntervalMs))]);
    },
    async consumeCredits(id, cost) {
      const result = await runQuery<{ limited: boolean; ok: boolean; remaining: number }>(
        ctx,
        'apiKeys.consumeCredits',
        sql.spend,
        [id, cost],
      );
      const row = result.rows[0];
      if (row === undefined) return undefined;
      if (!row.limited) return { limited: false };
      return { limited: true, ok: row.ok, remaining: Number(row.remaining) };
    },
    sweep: (sweepOptions) => sweepExpired(ctx, 'apiKeys.sweep', sql.sweep, sweepOptions),
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      feed.close();
      await listener.close();
    },
  };
}
