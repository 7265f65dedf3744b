import type { SecurityEvent } from '@bulwark/core';
import { describeWithService, type RevocationStoreSubject, runRevocationStoreConformance } from '@bulwark/testkit';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { migrate } from '../migrate.js';
import {
  dropSchema,
  inTestSchema,
  PG_DATABASE,
  PG_HOST,
  PG_PORT,
  PG_USER,
  postgresUp,
  testPool,
  testSchemaName,
} from '../testing/pg.js';
import { startPgProxy } from '../testing/proxy.js';
import { runWorker } from '../testing/worker.js';
import { postgresRevocationStore } from './store.js';

const MAX_STALENESS = 500;
const HOUR = 3_600_000;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('postgresRevocationStore options', () => {
  const pool = testPool();
  afterAll(() => pool.end());
  it('refuses malformed options, naming each', () => {
    const build = (extra: Record<string, unknown>) => () => postgresRevocationStore({ pool, ...extra });
    expect(build({ pool: {} })).toThrow(expect.objectContaining({ option: 'pool' }));
    expect(build({ schema: 'Public' })).toThrow(expect.objectContaining({ option: 'schema' }));
    expect(build({ schema: 'a'.repeat(60) })).toThrow(expect.objectContaining({ option: 'schema' }));
    expect(build({ listener: 'postgres://x' })).toThrow(expect.objectContaining({ option: 'listener' }));
    expect(build({ maxStaleness: '10ms' })).toThrow(expect.objectContaining({ option: 'maxStaleness' }));
    expect(build({ maxStaleness: '2m' })).toThrow(expect.objectContaining({ option: 'maxStaleness' }));
    expect(build({ timeout: 0 })).toThrow(expect.objectContaining({ option: 'timeout' }));
    expect(build({ failurePolicy: 'ignore' })).toThrow(expect.objectContaining({ option: 'failurePolicy' }));
    expect(build({ maxEntries: 0 })).toThrow(expect.objectContaining({ option: 'maxEntries' }));
    expect(build({ onEvent: 'log' })).toThrow(expect.objectContaining({ option: 'onEvent' }));
    expect(build({ maxStalenes: '1s' })).toThrow(expect.objectContaining({ option: 'maxStalenes' }));
  });
});

describeWithService('PostgreSQL', postgresUp, 'postgres revocation store', () => {
  const admin = testPool({ max: 2 });
  const schemas: string[] = [];
  afterAll(async () => {
    for (const name of schemas) await dropSchema(admin, name);
    await admin.end();
  });
  const freshSchema = async () => {
    const name = testSchemaName();
    schemas.push(name);
    await migrate(admin, { schema: name });
    return name;
  };

  /** A store with its own pool and its own listening connections (recorded, for the channel cases). */
  const subjectOf = async (schema: string, port = PG_PORT, extra: Record<string, unknown> = {}) => {
    const pool = testPool({ max: 4, port });
    const listeners: pg.Client[] = [];
    const events: SecurityEvent[] = [];
    const store = postgresRevocationStore({
      pool,
      schema,
      maxStaleness: MAX_STALENESS,
      onEvent: (e) => events.push(e),
      listener: async () => {
        const client = new pg.Client({ host: PG_HOST, port, database: PG_DATABASE, user: PG_USER });
        client.on('error', () => {});
        await client.connect();
        listeners.push(client);
        return client;
      },
      ...extra,
    });
    const pidOf = async (client: pg.Client) =>
      (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid as number;
    const subject: RevocationStoreSubject & { pool: pg.Pool; events: SecurityEvent[] } = {
      store,
      events,
      pool,
      close: async () => {
        await store.close();
        await pool.end();
      },
      peer: () => subjectOf(schema),
      revokeFromOtherProcess: async (targets) =>
        (await runWorker<{ revokedAt: number }>('revocation/revoke-worker.ts', [schema, JSON.stringify(targets)]))
          .revokedAt,
      silenceChannel: async () => {
        await (listeners.at(-1) as pg.Client).query('UNLISTEN *');
      },
      killChannel: async () => {
        const pid = await pidOf(listeners.at(-1) as pg.Client);
        const killed = await admin.query('SELECT pg_terminate_backend($1) AS ok', [pid]);
        expect(killed.rows[0]?.ok).toBe(true);
      },
    };
    return subject;
  };

  runRevocationStoreConformance('postgres', async () => subjectOf(await freshSchema()), {
    maxStaleness: MAX_STALENESS,
    unreachable: async (failurePolicy) => {
      const schema = await freshSchema();
      const proxy = await startPgProxy();
      const subject = await subjectOf(schema, proxy.port, { failurePolicy, timeout: '300ms' });
      subject.pool.on('error', () => {});
      const deadline = Date.now() + 5000;
      while (typeof subject.store.isRevoked('probe', undefined, Date.now()) !== 'boolean' && Date.now() < deadline)
        await pause(20);
      await proxy.stop();
      return subject;
    },
  });

  it('keeps one row per target until its until, never shortened, and numbers each revocation', async () => {
    const schema = await freshSchema();
    const subject = await subjectOf(schema);
    try {
      const until = Date.now() + HOUR;
      await subject.store.revoke({ kind: 'jti', id: 'j1', until });
      await subject.store.revoke({ kind: 'sid', id: 's1', until: until + 1 });
      await subject.store.revoke({ kind: 'jti', id: 'j1', until: until - 1000 });
      // An until that has passed keeps (and numbers) nothing.
      await subject.store.revoke({ kind: 'jti', id: 'old', until: Date.now() - 1000 });
      const rows = await admin.query(
        inTestSchema(schema, 'SELECT kind, id, until_ms FROM {schema}.revocations ORDER BY kind, id'),
      );
      expect(rows.rows).toEqual([
        { kind: 'j', id: 'j1', until_ms: String(until) },
        { kind: 's', id: 's1', until_ms: String(until + 1) },
      ]);
      const seq = await admin.query(inTestSchema(schema, 'SELECT seq FROM {schema}.revocation_sequence'));
      expect(seq.rows).toEqual([{ seq: '3' }]);
    } finally {
      await subject.close();
    }
  });

  it('detects a skipped sequence number, falls back, and rebuilds its view', async () => {
    const schema = await freshSchema();
    const subject = await subjectOf(schema, PG_PORT, { maxStaleness: '10s' });
    const { store, events } = subject;
    try {
      const deadline = Date.now() + 5000;
      while (typeof store.isRevoked('probe', undefined, Date.now()) !== 'boolean' && Date.now() < deadline)
        await pause(20);
      // Revocation 3 is announced but 1 and 2 never were; the entry of one of them is in the table only.
      await admin.query(inTestSchema(schema, 'UPDATE {schema}.revocation_sequence SET seq = 2'));
      await admin.query(inTestSchema(schema, "INSERT INTO {schema}.revocations VALUES ('j', 'lost', $1)"), [
        Date.now() + HOUR,
      ]);
      await admin.query('SELECT pg_notify($1, $2)', [`${schema}.revocations`, `r 3 j ${Date.now() + HOUR} announced`]);
      const until = Date.now() + 2000;
      while (!events.some((e) => e.type === 'revocation.store_failure') && Date.now() < until) await pause(5);
      expect(events).toMatchObject([
        { type: 'revocation.store_failure', store: 'postgres', reason: 'message_lost', mode: 'fallback' },
      ]);
      const synced = Date.now() + 5000;
      while (typeof store.isRevoked('probe', undefined, Date.now()) !== 'boolean' && Date.now() < synced)
        await pause(20);
      expect(store.isRevoked('lost', undefined, Date.now())).toBe(true);
      expect(store.isRevoked('announced', undefined, Date.now())).toBe(true);
    } finally {
      await subject.close();
    }
  });

  it('heartbeats interleaved with a burst of revocations never look like a lost message', async () => {
    const schema = await freshSchema();
    // Heartbeats every 50 ms on both, while the peer revokes 300 targets, 30 at a time.
    const subject = await subjectOf(schema, PG_PORT, { maxStaleness: '100ms' });
    const peer = await subjectOf(schema, PG_PORT, { maxStaleness: '100ms' });
    try {
      const ready = Date.now() + 5000;
      while (typeof subject.store.isRevoked('probe', undefined, Date.now()) !== 'boolean' && Date.now() < ready)
        await pause(10);
      const targets = Array.from({ length: 300 }, (_, i) => ({
        kind: 'jti' as const,
        id: `burst-${i}`,
        until: Date.now() + HOUR,
      }));
      for (let i = 0; i < targets.length; i += 30) {
        await Promise.all(targets.slice(i, i + 30).map((t) => peer.store.revoke(t)));
      }
      // Numbers are given in commit order, not in the order of the ids: wait for every one.
      const local = () => targets.filter((t) => subject.store.isRevoked(t.id, undefined, Date.now()) === true).length;
      const heard = Date.now() + 2000;
      while (local() < targets.length && Date.now() < heard) await pause(10);
      expect(local()).toBe(targets.length);
      const lost = [...subject.events, ...peer.events].filter(
        (e) => e.type === 'revocation.store_failure' && e.reason === 'message_lost',
      );
      expect(lost).toEqual([]);
    } finally {
      await Promise.all([subject.close(), peer.close()]);
    }
  });

  it('sweeps expired entries in bounded batches', async () => {
    const schema = await freshSchema();
    const subject = await subjectOf(schema);
    const store = subject.store as ReturnType<typeof postgresRevocationStore>;
    try {
      await admin.query(
        inTestSchema(
          schema,
          "INSERT INTO {schema}.revocations SELECT 'j', 'old-' || n, $1 FROM generate_series(1, 25) n",
        ),
        [Date.now() - 1],
      );
      await store.revoke({ kind: 'jti', id: 'live', until: Date.now() + HOUR });
      expect(await store.sweep({ batchSize: 10, maxBatches: 2 })).toEqual({ deleted: 20, more: true });
      expect(await store.sweep({ batchSize: 10 })).toEqual({ deleted: 5, more: false });
      const left = await admin.query(inTestSchema(schema, 'SELECT id FROM {schema}.revocations'));
      expect(left.rows).toEqual([{ id: 'live' }]);
    } finally {
      await subject.close();
    }
  });

  it('close() ends its listening connection', async () => {
    const schema = await freshSchema();
    const pool = testPool({ max: 2 });
    const store = postgresRevocationStore({ pool, schema });
    const listening = async () =>
      Number(
        (
          await admin.query('SELECT count(*) AS n FROM pg_stat_activity WHERE query = $1', [
            inTestSchema(schema, 'LISTEN {channel:revocations}'),
          ])
        ).rows[0]?.n,
      );
    const deadline = Date.now() + 5000;
    while ((await listening()) === 0 && Date.now() < deadline) await pause(20);
    expect(await listening()).toBe(1);
    await store.close();
    const gone = Date.now() + 5000;
    while ((await listening()) > 0 && Date.now() < gone) await pause(20);
    expect(await listening()).toBe(0);
    await pool.end();
  });
});
