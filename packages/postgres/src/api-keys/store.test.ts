import { apiKeys } from '@bulwark/api-keys';
import { type ApiKeyStoreSubject, describeWithService, runApiKeyStoreConformance } from '@bulwark/testkit';
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
import { postgresApiKeyStore } from './store.js';

const MAX_STALENESS = 500;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('postgresApiKeyStore options', () => {
  const pool = testPool();
  afterAll(() => pool.end());
  it('refuses malformed options, naming each', () => {
    const build = (extra: Record<string, unknown>) => () => postgresApiKeyStore({ pool, ...extra });
    expect(build({ pool: 'postgres://x' })).toThrow(expect.objectContaining({ option: 'pool' }));
    expect(build({ schema: 'a-b' })).toThrow(expect.objectContaining({ option: 'schema' }));
    expect(build({ listener: {} })).toThrow(expect.objectContaining({ option: 'listener' }));
    expect(build({ maxStaleness: '10ms' })).toThrow(expect.objectContaining({ option: 'maxStaleness' }));
    expect(build({ timeout: '2m' })).toThrow(expect.objectContaining({ option: 'timeout' }));
    expect(build({ retention: 10 })).toThrow(expect.objectContaining({ option: 'retention' }));
    expect(build({ retension: '1d' })).toThrow(expect.objectContaining({ option: 'retension' }));
  });
});

describeWithService('PostgreSQL', postgresUp, 'postgres api-key store', () => {
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
  const subjectOf = async (schema: string): Promise<ApiKeyStoreSubject> => {
    const pool = testPool({ max: 6 });
    const store = postgresApiKeyStore({ pool, schema, maxStaleness: MAX_STALENESS });
    return {
      store,
      close: async () => {
        await store.close();
        await pool.end();
      },
      peer: () => subjectOf(schema),
      revokeFromOtherProcess: async (id) => {
        const out = await runWorker<{ revoked: boolean; revokedAt: number }>('api-keys/revoke-worker.ts', [schema, id]);
        expect(out.revoked).toBe(true);
        return out.revokedAt;
      },
    };
  };

  runApiKeyStoreConformance('postgres', async () => subjectOf(await freshSchema()), { shared: true });

  it('keeps only the digest, and a purge time of the key life plus retention that revocation shortens', async () => {
    const schema = await freshSchema();
    const pool = testPool({ max: 2 });
    const keys = apiKeys({ store: postgresApiKeyStore({ pool, schema, retention: '1d' }) });
    try {
      const created = await keys.create({ ownerId: 'alice', ownerScopes: ['a'], name: 'k', expiresIn: '1h' });
      const row = async () =>
        (
          await admin.query(
            inTestSchema(schema, 'SELECT row_to_json(k) AS row FROM {schema}.api_keys k WHERE id = $1'),
            [created.id],
          )
        ).rows[0]?.row;
      const stored = await row();
      expect(stored.hash).toMatch(/^(hmac-)?sha256:[0-9a-f]{64}$/);
      expect(JSON.stringify(stored)).not.toContain(created.key.slice(-40));
      expect(stored.purge_after - stored.expires_at).toBe(86_400_000);
      await keys.revoke(created.id);
      const revoked = await row();
      expect(revoked.purge_after).toBeLessThanOrEqual(revoked.revoked_at + 86_400_000);
      const seq = await admin.query(inTestSchema(schema, 'SELECT seq FROM {schema}.api_key_sequence'));
      expect(seq.rows[0]?.seq).toBe('1');
    } finally {
      await keys.close();
      await pool.end();
    }
  });

  it('heartbeats interleaved with a burst of revocations never make a cache forget every key', async () => {
    const schema = await freshSchema();
    const pools = [testPool({ max: 4 }), testPool({ max: 4 })];
    const here = postgresApiKeyStore({ pool: pools[0] as pg.Pool, schema, maxStaleness: '100ms' });
    const there = postgresApiKeyStore({ pool: pools[1] as pg.Pool, schema, maxStaleness: '100ms' });
    const keys = apiKeys({ store: there });
    try {
      const ready = Date.now() + 5000;
      while (!here.invalidations.trusted && Date.now() < ready) await pause(10);
      const created = [];
      for (let i = 0; i < 10; i++) {
        created.push(
          ...(await Promise.all(
            Array.from({ length: 20 }, () => keys.create({ ownerId: 'o', ownerScopes: [], name: 'k' })),
          )),
        );
      }
      const heard: Array<string | undefined> = [];
      here.invalidations.subscribe((id) => heard.push(id));
      for (let i = 0; i < created.length; i += 20) {
        await Promise.all(created.slice(i, i + 20).map((c) => keys.revoke(c.id)));
      }
      const deadline = Date.now() + 2000;
      while (heard.length < created.length && Date.now() < deadline) await pause(10);
      expect(new Set(heard)).toEqual(new Set(created.map((c) => c.id)));
      expect(here.invalidations.trusted).toBe(true);
    } finally {
      await Promise.all([here.close(), keys.close()]);
      await Promise.all(pools.map((p) => p.end()));
    }
  });

  it('a listening connection that goes silent without a word (a partition) is replaced, and trust comes back', async () => {
    const schema = await freshSchema();
    const proxy = await startPgProxy();
    const pool = testPool({ max: 4 });
    const opened: number[] = [];
    const store = postgresApiKeyStore({
      pool,
      schema,
      maxStaleness: '200ms',
      timeout: '300ms',
      // The first listening connection goes through the proxy, the next ones straight to the server.
      listener: async () => {
        const port = opened.length === 0 ? proxy.port : PG_PORT;
        opened.push(port);
        const client = new pg.Client({ host: PG_HOST, port, database: PG_DATABASE, user: PG_USER });
        client.on('error', () => {});
        await client.connect();
        return client;
      },
    });
    try {
      const ready = Date.now() + 5000;
      while (!store.invalidations.trusted && Date.now() < ready) await pause(10);
      expect(store.invalidations.trusted).toBe(true);
      proxy.freeze();
      const frozenAt = Date.now();
      while (store.invalidations.trusted && Date.now() - frozenAt < 2000) await pause(10);
      expect(Date.now() - frozenAt).toBeLessThan(200 + 600);
      // Silent for 4 x maxStaleness: LISTEN again, which does not answer in time; a new connection.
      const back = Date.now() + 5000;
      while (!store.invalidations.trusted && Date.now() < back) await pause(10);
      expect(store.invalidations.trusted).toBe(true);
      expect(opened).toEqual([proxy.port, PG_PORT]);
    } finally {
      await store.close();
      await pool.end();
      await proxy.stop();
    }
  });

  it('sweeps reclaimable keys in bounded batches, and leaves the others', async () => {
    const schema = await freshSchema();
    const pool = testPool({ max: 2 });
    const store = postgresApiKeyStore({ pool, schema, retention: '1s' });
    const keys = apiKeys({ store });
    try {
      const live = await keys.create({ ownerId: 'o', ownerScopes: [], name: 'live' });
      const gone = await Promise.all(
        Array.from({ length: 7 }, () => keys.create({ ownerId: 'o', ownerScopes: [], name: 'x' })),
      );
      for (const { id } of gone) await keys.revoke(id);
      await admin.query(
        inTestSchema(
          schema,
          'UPDATE {schema}.api_keys SET purge_after = purge_after - 5000 WHERE revoked_at IS NOT NULL',
        ),
      );
      expect(await store.sweep({ batchSize: 3, maxBatches: 2 })).toEqual({ deleted: 6, more: true });
      expect(await store.sweep({ batchSize: 3 })).toEqual({ deleted: 1, more: false });
      expect((await store.list('o')).map((r) => r.id)).toEqual([live.id]);
    } finally {
      await keys.close();
      await pool.end();
    }
  });

  it('stops trusting a silent channel within maxStaleness: a hot key then reads PostgreSQL, and a failed read refuses it', async () => {
    const schema = await freshSchema();
    const proxy = await startPgProxy();
    const pool = testPool({ max: 4, port: proxy.port, connectionTimeoutMillis: 300 });
    let listening: pg.Client | undefined;
    const store = postgresApiKeyStore({
      pool,
      schema,
      maxStaleness: MAX_STALENESS,
      timeout: '300ms',
      listener: async () => {
        const client = new pg.Client({ host: PG_HOST, port: PG_PORT, database: PG_DATABASE, user: PG_USER });
        client.on('error', () => {});
        await client.connect();
        listening = client;
        return client;
      },
    });
    const keys = apiKeys({ store });
    try {
      const deadline = Date.now() + 5000;
      while (!store.invalidations.trusted && Date.now() < deadline) await pause(10);
      const { key } = await keys.create({ ownerId: 'o', ownerScopes: [], name: 'k' });
      expect((await keys.verify(key)).ok).toBe(true);
      expect(keys.verify(key)).not.toBeInstanceOf(Promise);
      await listening?.query('UNLISTEN *');
      const silentAt = Date.now();
      while (store.invalidations.trusted && Date.now() - silentAt < 3 * MAX_STALENESS) await pause(10);
      expect(store.invalidations.trusted).toBe(false);
      expect(Date.now() - silentAt).toBeLessThan(MAX_STALENESS + 600);
      expect(keys.verify(key)).toBeInstanceOf(Promise);
      await proxy.stop();
      const started = Date.now();
      expect(await keys.verify(key)).toEqual({ ok: false, reason: 'store_unavailable' });
      // Within the store's timeout, not the pool's or the kernel's.
      expect(Date.now() - started).toBeLessThan(1500);
    } finally {
      await keys.close();
      await pool.end().catch(() => {});
      await proxy.stop();
    }
  });
});
