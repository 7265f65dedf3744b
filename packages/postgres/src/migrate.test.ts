import { createHash } from 'node:crypto';
import { describeWithService } from '@bulwark/testkit';
import type pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { applyMigrations, checkMigrations, migrate } from './migrate.js';
import { MIGRATIONS, type Migration } from './migrations/index.js';
import { dropSchema, inTestSchema, postgresUp, testPool, testSchemaName } from './testing/pg.js';
import { runWorker } from './testing/worker.js';

// Migrations that fail when run twice: a plain CREATE TABLE, and a row per application
// (the sleep widens the window in which a second process could slip in).
const SAMPLE: readonly Migration[] = [
  { version: 1, name: 'one', sql: 'CREATE TABLE {schema}.one (n integer); INSERT INTO {schema}.one VALUES (1)' },
  {
    version: 2,
    name: 'two',
    sql: 'SELECT pg_sleep(0.05); CREATE TABLE {schema}.two (n integer); INSERT INTO {schema}.one VALUES (2)',
  },
  { version: 3, name: 'three', sql: 'CREATE TABLE {schema}.three (n integer); INSERT INTO {schema}.one VALUES (3)' },
];

it('refuses a registry out of order, or with a bad name', () => {
  expect(() => checkMigrations([SAMPLE[1] as Migration, SAMPLE[0] as Migration])).toThrow(/version 1 is not above 2/);
  expect(() => checkMigrations([{ version: 1, name: 'Bad Name', sql: '' }])).toThrow(/kebab-case/);
  expect(() => checkMigrations(MIGRATIONS)).not.toThrow();
});

it('keeps every released migration as it was (a fix is a new migration)', () => {
  const sha = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 16);
  expect(Object.fromEntries(MIGRATIONS.map((m) => [`${m.version} ${m.name}`, sha(m.sql)]))).toMatchInlineSnapshot(`
    {
      "1 clock": "edc360acb6747a60",
      "101 refresh-token-families": "cf36af7168cc6735",
      "102 authorization-codes": "fb087df680e869fc",
      "103 lockout-counters": "887d4dc49f7fca0d",
      "104 lockout-unchecked-refund": "a2574969167ad7b7",
      "2 revocations": "d13db5872306021d",
      "3 keyring": "662f7478e2ac2c7a",
      "4 api-keys": "fa46d5f079a9097e",
      "5 rate-limits": "a473203c6e93f285",
    }
  `);
});

it('refuses bad options before touching the pool', () => {
  const pool = testPool();
  try {
    expect(() => migrate(pool, { schema: 'Bad"; DROP SCHEMA public; --' })).toThrow(/schema/);
    expect(() => migrate(pool, { schema: 'pg_catalog' })).toThrow(/reserved/);
    expect(() => migrate(pool, { shcema: 'x' } as never)).toThrow(/did you mean "schema"/);
    expect(() => migrate({} as pg.Pool)).toThrow(/pool/);
  } finally {
    void pool.end();
  }
});

describeWithService('PostgreSQL', postgresUp, 'migrate (PostgreSQL)', () => {
  const pools: pg.Pool[] = [];
  const schemas: string[] = [];
  const schema = () => {
    const name = testSchemaName();
    schemas.push(name);
    return name;
  };
  beforeAll(() => {
    for (let i = 0; i < 3; i++) pools.push(testPool({ max: 4 }));
  });
  afterAll(async () => {
    for (const name of schemas) await dropSchema(pools[0] as pg.Pool, name);
    await Promise.all(pools.map((p) => p.end()));
  });

  it('applies every migration once, in order, then nothing', async () => {
    const name = schema();
    const pool = pools[0] as pg.Pool;
    expect(await applyMigrations(pool, name, SAMPLE)).toEqual({ applied: [1, 2, 3], version: 3 });
    expect(await applyMigrations(pool, name, SAMPLE)).toEqual({ applied: [], version: 3 });
    const rows = await pool.query(inTestSchema(name, 'SELECT n FROM {schema}.one ORDER BY n'));
    expect(rows.rows.map((r) => r.n)).toEqual([1, 2, 3]);
    const recorded = await pool.query(
      inTestSchema(name, 'SELECT version, name FROM {schema}.bulwark_migrations ORDER BY version'),
    );
    expect(recorded.rows).toEqual(SAMPLE.map(({ version, name }) => ({ version, name })));
  });

  it('applies only the missing ones when the registry grows', async () => {
    const name = schema();
    const pool = pools[0] as pg.Pool;
    expect((await applyMigrations(pool, name, SAMPLE.slice(0, 1))).applied).toEqual([1]);
    expect((await applyMigrations(pool, name, SAMPLE)).applied).toEqual([2, 3]);
  });

  it('applies each migration once when many processes migrate at the same moment', async () => {
    const name = schema();
    const runs = Array.from({ length: 9 }, (_, i) => applyMigrations(pools[i % 3] as pg.Pool, name, SAMPLE));
    const results = await Promise.all(runs);
    // Every version applied by exactly one of the nine calls, and every call ends at 3.
    expect(results.flatMap((r) => r.applied).sort()).toEqual([1, 2, 3]);
    expect(results.every((r) => r.version === 3)).toBe(true);
    const rows = await (pools[1] as pg.Pool).query(inTestSchema(name, 'SELECT n FROM {schema}.one ORDER BY n'));
    expect(rows.rows.map((r) => r.n)).toEqual([1, 2, 3]);
  });

  it('keeps what was applied before a failing migration and rolls the failing one back', async () => {
    const name = schema();
    const pool = pools[0] as pg.Pool;
    const broken: Migration = { version: 4, name: 'broken', sql: 'CREATE TABLE {schema}.four (n integer); SELECT 1/0' };
    await expect(applyMigrations(pool, name, [...SAMPLE, broken])).rejects.toMatchObject({ code: '22012' });
    const recorded = await pool.query(inTestSchema(name, 'SELECT max(version) AS v FROM {schema}.bulwark_migrations'));
    expect(recorded.rows[0].v).toBe(3);
    const four = await pool.query('SELECT to_regclass($1) AS t', [inTestSchema(name, '{schema}.four')]);
    expect(four.rows[0].t).toBeNull();
    // The pool's connections are still usable after the failure.
    expect((await pool.query('SELECT 1 AS one')).rows[0].one).toBe(1);
  });

  it('three OS processes migrating one fresh schema at once apply each migration once', async () => {
    const name = schema();
    const results = await Promise.all(
      [0, 1, 2].map(() => runWorker<{ applied: number[]; version: number }>('migrate-worker.ts', [name])),
    );
    expect(results.flatMap((r) => r.applied).sort((a, b) => a - b)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(new Set(results.map((r) => r.version))).toEqual(new Set([MIGRATIONS.at(-1)?.version]));
  }, 60_000);

  it('migrate() brings a fresh schema to the registry version, idempotently', async () => {
    const name = schema();
    const pool = pools[2] as pg.Pool;
    const top = MIGRATIONS.at(-1)?.version ?? 0;
    const first = await migrate(pool, { schema: name });
    expect(first).toEqual({ applied: MIGRATIONS.map((m) => m.version), version: top });
    expect(await migrate(pool, { schema: name })).toEqual({ applied: [], version: top });
  });
});
