import { describeWithService, runKeyringStoreConformance } from '@bulwark/testkit';
import { keyring } from '@bulwark/tokens';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../migrate.js';
import { dropSchema, inTestSchema, postgresUp, testPool, testSchemaName } from '../testing/pg.js';
import { startPgProxy } from '../testing/proxy.js';
import { runWorker } from '../testing/worker.js';
import { postgresKeyringStore } from './store.js';

const T0 = Date.UTC(2030, 0, 1);
const DAY = 86_400_000;
const MINUTE = 60_000;
let sequence = 0;
const fresh = () => `test-${process.pid}-${++sequence}`;

describe('postgresKeyringStore options', () => {
  const pool = testPool();
  afterAll(() => pool.end());
  it('refuses malformed options, naming each', () => {
    const build = (extra: Record<string, unknown>) => () => postgresKeyringStore({ pool, ...extra });
    expect(build({ pool: undefined })).toThrow(expect.objectContaining({ option: 'pool' }));
    expect(build({ name: 'a b' })).toThrow(expect.objectContaining({ option: 'name' }));
    expect(build({ name: '' })).toThrow(expect.objectContaining({ option: 'name' }));
    expect(build({ schema: 'x;y' })).toThrow(expect.objectContaining({ option: 'schema' }));
    expect(build({ nmae: 'x' })).toThrow(expect.objectContaining({ option: 'nmae' }));
  });
});

interface RaceOutput {
  readonly signing: string[];
  readonly published: string[];
  readonly created: number;
}

describeWithService('PostgreSQL', postgresUp, 'postgres keyring store', () => {
  const pool = testPool({ max: 10 });
  const schema = testSchemaName();
  beforeAll(async () => {
    await migrate(pool, { schema });
  });
  afterAll(async () => {
    await dropSchema(pool, schema);
    await pool.end();
  });

  runKeyringStoreConformance('postgres', () => postgresKeyringStore({ pool, schema, name: fresh() }));

  it('keeps the private key sealed, exactly as the keyring gave it, never in the clear', async () => {
    const name = fresh();
    const keys = keyring({
      store: postgresKeyringStore({ pool, schema, name }),
      keyEncryptionKey: new Uint8Array(32).fill(1),
      algorithm: 'ES256',
    });
    const signing = await keys.signingKey();
    const rows = await pool.query(
      inTestSchema(schema, 'SELECT generation, kid, alg, sealed FROM {schema}.keyring_keys WHERE keyring = $1'),
      [name],
    );
    expect(rows.rows).toHaveLength(1);
    expect(rows.rows[0]).toMatchObject({ generation: 1, kid: signing.kid, alg: 'ES256' });
    expect(rows.rows[0].sealed).toMatch(/^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    // No JWK member of a private key (`"d"`) in the clear, nor its base64url text.
    expect(rows.rows[0].sealed).not.toContain('"d"');
    expect(JSON.stringify(rows.rows)).not.toMatch(/"kty"/);
  });

  it("takes time from the database, not this machine's clock", async () => {
    const store = postgresKeyringStore({ pool, schema, name: fresh() });
    const realNow = Date.now;
    Date.now = () => realNow() + 20 * DAY;
    try {
      const result = await store.create(
        { generation: 1, kid: 'k', alg: 'EdDSA', sealed: 'v1.a.b' },
        { activateAfter: 0, dropBelow: 1 },
      );
      expect(Math.abs((result.records[0]?.createdAt as number) - realNow())).toBeLessThan(5000);
    } finally {
      Date.now = realNow;
    }
  });

  it('refuses a record field that is not a keyring token, and a sealed value that is not sealed', async () => {
    const store = postgresKeyringStore({ pool, schema, name: fresh() });
    for (const bad of [
      { generation: 1, kid: 'a b', alg: 'ES256' as const, sealed: 'v1.a.b' },
      { generation: 1, kid: "k'; DROP TABLE x; --", alg: 'ES256' as const, sealed: 'v1.a.b' },
      { generation: 1, kid: 'k', alg: 'none' as never, sealed: 'v1.a.b' },
      { generation: 0, kid: 'k', alg: 'ES256' as const, sealed: 'v1.a.b' },
    ]) {
      await expect(store.create(bad, { activateAfter: 0, dropBelow: 1 })).rejects.toMatchObject({
        code: 'invalid_argument',
      });
    }
    // The table refuses a value not in the sealed format, whoever writes it.
    await expect(
      store.create({ generation: 1, kid: 'k', alg: 'ES256', sealed: 'plain' }, { activateAfter: 0, dropBelow: 1 }),
    ).rejects.toMatchObject({ code: 'store_unavailable' });
    expect((await store.load()).records).toEqual([]);
  });

  it('answers store_unavailable within its timeout when PostgreSQL goes away, never hanging', async () => {
    const proxy = await startPgProxy();
    const down = testPool({ max: 2, port: proxy.port });
    const store = postgresKeyringStore({ pool: down, schema, name: fresh(), timeout: '300ms' });
    try {
      expect((await store.load()).records).toEqual([]);
      await proxy.stop();
      for (const attempt of [
        () => store.load(),
        () =>
          store.create({ generation: 1, kid: 'k', alg: 'ES256', sealed: 'v1.a.b' }, { activateAfter: 0, dropBelow: 1 }),
      ]) {
        const started = Date.now();
        await expect(attempt()).rejects.toMatchObject({ code: expect.stringMatching(/^store_(unavailable|timeout)$/) });
        expect(Date.now() - started).toBeLessThan(1000);
      }
    } finally {
      await down.end().catch(() => {});
    }
  });

  it('two Node processes on one keyring agree on every key; exactly one creates each', async () => {
    const name = fresh();
    const both = (now: number) =>
      Promise.all([0, 1].map(() => runWorker<RaceOutput>('keyring/race-worker.ts', [schema, name, String(now), '8'])));
    const first = await both(T0);
    expect(first[0]?.signing).toHaveLength(1);
    expect(first[1]?.signing).toEqual(first[0]?.signing);
    expect(first.map((o) => o.created).reduce((a, b) => a + b)).toBe(1);

    const publish = await both(T0 + 30 * DAY - 10 * MINUTE);
    expect(publish[0]?.published).toHaveLength(1);
    expect(publish[1]?.published).toEqual(publish[0]?.published);
    expect(publish[0]?.published[0]?.split(' ')).toHaveLength(2);
    expect(publish[0]?.signing).toEqual(first[0]?.signing);
    expect(publish.map((o) => o.created).reduce((a, b) => a + b)).toBe(1);

    const active = await both(T0 + 30 * DAY);
    expect(active[1]?.signing).toEqual(active[0]?.signing);
    expect(active[0]?.signing[0]).toBe(publish[0]?.published[0]?.split(' ')[1]);
    expect(active.map((o) => o.created).reduce((a, b) => a + b)).toBe(0);
    const stored = await postgresKeyringStore({ pool, schema, name }).load(T0 + 30 * DAY);
    expect(stored.records.map((r) => r.generation)).toEqual([1, 2]);
  }, 60_000);
});
