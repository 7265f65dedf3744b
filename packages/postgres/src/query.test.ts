import { BulwarkError } from '@bulwark/core';
import { describeWithService } from '@bulwark/testkit';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresStoreError, toStoreError } from './errors.js';
import { applyMigrations } from './migrate.js';
import { type PgContext, resolveStoreOptions } from './options.js';
import { inTransaction, runQuery, withClient } from './query.js';
import { bindStatements } from './sql.js';
import { sweepExpired } from './sweep.js';
import { dropSchema, postgresUp, testPool, testSchemaName } from './testing/pg.js';

describe('shared options', () => {
  const pool = testPool();
  afterAll(() => pool.end());
  it('defaults the schema to bulwark and the timeout to 1s', () => {
    const ctx = resolveStoreOptions({ pool });
    expect(ctx).toMatchObject({ schemaName: 'bulwark', schema: '"bulwark"', timeoutMs: 1000, prepare: true });
  });
  it('refuses a bad pool, schema, timeout or unknown option, naming it', () => {
    expect(() => resolveStoreOptions({ pool: {} as pg.Pool })).toThrow(/"pool"/);
    for (const schema of ['', 'Bulwark', 'a-b', 'x"y', 'a'.repeat(64), '1abc', 'pg_temp']) {
      expect(() => resolveStoreOptions({ pool, schema })).toThrow(/"schema"/);
    }
    expect(() => resolveStoreOptions({ pool, timeout: 0 })).toThrow(/"timeout"/);
    expect(() => resolveStoreOptions({ pool, timeout: '2m' })).toThrow(/"timeout"/);
    expect(() => resolveStoreOptions({ pool, timout: '1s' } as never)).toThrow(/did you mean "timeout"/);
    expect(() => resolveStoreOptions({ pool, preparedStatements: 'yes' } as never)).toThrow(/"preparedStatements"/);
  });
});

describe('toStoreError', () => {
  const pgError = (code: string) => Object.assign(new Error('x'), { code });
  it.each([
    ['57014', 'store_timeout', false],
    ['55P03', 'store_timeout', true],
    ['40001', 'store_unavailable', true],
    ['40P01', 'store_unavailable', true],
    ['23505', 'store_conflict', false],
    ['08006', 'store_unavailable', true],
    ['53300', 'store_unavailable', true],
    ['57P01', 'store_unavailable', true],
    ['42P01', 'store_unavailable', false],
  ])('SQLSTATE %s is %s (retryable: %s)', (state, code, retryable) => {
    const mapped = toStoreError(pgError(state), 'op');
    expect(mapped).toBeInstanceOf(PostgresStoreError);
    expect(mapped).toMatchObject({ code, sqlState: state, retryable });
  });
  it('maps a refused connection and a pool connect timeout', () => {
    expect(
      toStoreError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 'op'),
    ).toMatchObject({
      code: 'store_unavailable',
      sqlState: undefined,
    });
    expect(toStoreError(new Error('timeout exceeded when trying to connect'), 'op')).toMatchObject({
      code: 'store_timeout',
    });
  });
  it('passes a BulwarkError through', () => {
    const error = new BulwarkError('store_conflict', 'x');
    expect(toStoreError(error, 'op')).toBe(error);
  });
});

describeWithService('PostgreSQL', postgresUp, 'one operation under a deadline (PostgreSQL)', () => {
  const pool = testPool({ max: 2 });
  const schemaName = testSchemaName();
  let ctx: PgContext;
  beforeAll(async () => {
    ctx = resolveStoreOptions({ pool, schema: schemaName, timeout: '300ms' });
    await applyMigrations(pool, schemaName, [
      {
        version: 1,
        name: 'items',
        sql: 'CREATE TABLE {schema}.items (id integer PRIMARY KEY, n integer NOT NULL, expires_at timestamptz NOT NULL)',
      },
    ]);
  });
  afterAll(async () => {
    await dropSchema(pool, schemaName);
    await pool.end();
  });
  const sql = () =>
    bindStatements(ctx.schema, {
      insert: "INSERT INTO {schema}.items (id, n, expires_at) VALUES ($1, $2, now() + $3 * interval '1 millisecond')",
      read: 'SELECT n FROM {schema}.items WHERE id = $1',
      add: 'UPDATE {schema}.items SET n = n + 1 WHERE id = $1',
      sweep:
        'DELETE FROM {schema}.items WHERE ctid = ANY (ARRAY(SELECT ctid FROM {schema}.items WHERE expires_at < now() LIMIT $1 FOR UPDATE SKIP LOCKED))',
    });

  it('runs a parameterised statement', async () => {
    await runQuery(ctx, 't.insert', sql().insert, [1, 10, 60_000]);
    expect((await runQuery<{ n: number }>(ctx, 't.read', sql().read, [1])).rows).toEqual([{ n: 10 }]);
  });

  it('prepares each statement once per connection (named), or not at all when told', async () => {
    const prepared = async (c: PgContext) =>
      (
        await withClient(c, 't.prepared', async (query) => {
          await query(sql().read, [1]);
          await query(sql().read, [1]);
          return query<{ n: string }>(
            "SELECT count(*) AS n FROM pg_prepared_statements WHERE statement LIKE 'SELECT n FROM %items WHERE id = $1'",
            [],
          );
        })
      ).rows[0]?.n;
    expect(await prepared(ctx)).toBe('1');
    const plain = testPool({ max: 1 });
    try {
      expect(await prepared(resolveStoreOptions({ pool: plain, schema: schemaName, preparedStatements: false }))).toBe(
        '0',
      );
    } finally {
      await plain.end();
    }
  });

  it('maps a duplicate id to store_conflict and keeps the connection', async () => {
    await expect(runQuery(ctx, 't.insert', sql().insert, [1, 1, 1])).rejects.toMatchObject({ code: 'store_conflict' });
    expect(pool.totalCount).toBeGreaterThan(0);
  });

  it('answers store_timeout at the deadline, not when the statement ends, and does not reuse its connection', async () => {
    const started = performance.now();
    await expect(runQuery(ctx, 't.sleep', 'SELECT pg_sleep(2)')).rejects.toMatchObject({ code: 'store_timeout' });
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(1000);
    // The pool still answers (the sleeping connection was destroyed, not handed out again).
    expect((await runQuery<{ one: number }>(ctx, 't.one', 'SELECT 1 AS one')).rows[0]?.one).toBe(1);
  });

  it('answers store_timeout when the pool is exhausted for longer than the deadline', async () => {
    const held = await Promise.all([pool.connect(), pool.connect()]);
    try {
      const started = performance.now();
      await expect(runQuery(ctx, 't.one', 'SELECT 1')).rejects.toMatchObject({ code: 'store_timeout' });
      expect(performance.now() - started).toBeLessThan(1000);
    } finally {
      for (const client of held) client.release();
    }
    expect((await runQuery<{ one: number }>(ctx, 't.one', 'SELECT 1 AS one')).rows[0]?.one).toBe(1);
  });

  it("maps the pool's statement_timeout (57014) to store_timeout", async () => {
    const strict = testPool({ max: 1, statement_timeout: 50 });
    try {
      const c = resolveStoreOptions({ pool: strict, schema: schemaName, timeout: '1s' });
      await expect(runQuery(c, 't.sleep', 'SELECT pg_sleep(1)')).rejects.toMatchObject({
        code: 'store_timeout',
        sqlState: '57014',
      });
    } finally {
      await strict.end();
    }
  });

  it('answers store_unavailable when nothing listens (connection refused)', async () => {
    const nowhere = testPool({ port: 1, max: 1 });
    try {
      const c = resolveStoreOptions({ pool: nowhere, schema: schemaName });
      await expect(runQuery(c, 't.one', 'SELECT 1')).rejects.toMatchObject({ code: 'store_unavailable' });
    } finally {
      await nowhere.end();
    }
  });

  it('retries a serializable transaction that lost a race, so concurrent increments all land', async () => {
    await runQuery(ctx, 't.insert', sql().insert, [2, 0, 60_000]);
    const wide = testPool({ max: 4 });
    try {
      const c = resolveStoreOptions({ pool: wide, schema: schemaName, timeout: '5s' });
      const results = await Promise.allSettled(
        Array.from({ length: 4 }, () =>
          inTransaction(c, 't.increment', 'serializable', async (query) => {
            const before = (await query<{ n: number }>(sql().read, [2])).rows[0]?.n ?? 0;
            await query('SELECT pg_sleep(0.02)');
            await query(sql().add, [2]);
            return before;
          }),
        ),
      );
      const ok = results.filter((r) => r.status === 'fulfilled').length;
      const n = (await runQuery<{ n: number }>(ctx, 't.read', sql().read, [2])).rows[0]?.n;
      // Every transaction that reported success counted exactly once; the failures (out of
      // retries) were refused as retryable store_unavailable, never half-applied.
      expect(n).toBe(ok);
      expect(ok).toBeGreaterThanOrEqual(2);
      for (const r of results) {
        if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'store_unavailable', sqlState: '40001' });
      }
    } finally {
      await wide.end();
    }
  });

  it('sweeps expired rows in bounded batches and leaves live ones', async () => {
    for (let id = 100; id < 125; id++)
      await runQuery(ctx, 't.insert', sql().insert, [id, 0, id < 120 ? -1000 : 60_000]);
    const first = await sweepExpired(ctx, 't.sweep', sql().sweep, { batchSize: 7, maxBatches: 2 });
    expect(first).toEqual({ deleted: 14, more: true });
    const second = await sweepExpired(ctx, 't.sweep', sql().sweep, { batchSize: 7, maxBatches: 5 });
    expect(second).toEqual({ deleted: 6, more: false });
    const left = await runQuery<{ n: number }>(ctx, 't.read', sql().read, [120]);
    expect(left.rows).toEqual([{ n: 0 }]);
    expect((await runQuery<{ n: number }>(ctx, 't.read', sql().read, [119])).rows).toEqual([]);
    await expect(sweepExpired(ctx, 't.sweep', sql().sweep, { batchSize: 0 })).rejects.toThrow(/batchSize/);
  });

  it('withClient gives the connection back after work that succeeds, and after a mapped refusal', async () => {
    const pids = new Set<number>();
    const pid = 'SELECT pg_backend_pid() AS pid';
    const tiny = testPool({ max: 1 });
    try {
      const c = resolveStoreOptions({ pool: tiny, schema: schemaName });
      for (let i = 0; i < 3; i++) {
        pids.add((await withClient(c, 't.pid', (query) => query<{ pid: number }>(pid))).rows[0]?.pid as number);
        await expect(runQuery(c, 't.insert', sql().insert, [1, 1, 1])).rejects.toMatchObject({
          code: 'store_conflict',
        });
      }
      // One connection served all six operations: none was destroyed in vain.
      expect(pids.size).toBe(1);
      await expect(runQuery(c, 't.sleep', 'SELECT pg_sleep(2)')).rejects.toMatchObject({ code: 'store_timeout' });
      // ...but the one that outlived its deadline was.
      const after = (await withClient(c, 't.pid', (query) => query<{ pid: number }>(pid))).rows[0]?.pid as number;
      expect(pids.has(after)).toBe(false);
    } finally {
      await tiny.end();
    }
  });
});
