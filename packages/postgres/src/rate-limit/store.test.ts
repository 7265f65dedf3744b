import { ALGORITHMS, type LimitCheck } from '@bulwark/ratelimit';
import { describeWithService, runRateLimitStoreConformance } from '@bulwark/testkit';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../migrate.js';
import { SWEEP_SHAPE } from '../sweep.js';
import { type OtherProcess, startOtherProcess } from '../testing/other-process.js';
import { dropSchema, inTestSchema, postgresUp, testPool, testSchemaName } from '../testing/pg.js';
import { startPgProxy } from '../testing/proxy.js';
import { countStatements } from '../testing/round-trips.js';
import { storedText } from './keys.js';
import { RATE_LIMIT_STATEMENTS } from './statements.js';
import { postgresRateLimitStore } from './store.js';

const T0 = Date.UTC(2030, 0, 1);
let sequence = 0;
const fresh = (label: string) => `${label}-${process.pid}-${++sequence}`;
const check = (key: string, limit: number, windowMs: number, blockMs = 0, scope = 'pg:a'): LimitCheck => ({
  scope,
  key,
  limit,
  windowMs,
  blockMs,
});

describe('postgres rate-limit store options', () => {
  it('refuses malformed options, naming each', () => {
    const pool = testPool();
    try {
      const build = (extra: Record<string, unknown>) => () => postgresRateLimitStore({ pool, ...extra });
      expect(build({ pool: undefined })).toThrow(expect.objectContaining({ option: 'pool' }));
      expect(build({ schema: 'pg_catalog' })).toThrow(expect.objectContaining({ option: 'schema' }));
      expect(build({ timeout: '2m' })).toThrow(expect.objectContaining({ option: 'timeout' }));
      expect(build({ prefix: 'x' })).toThrow(expect.objectContaining({ option: 'prefix' }));
      expect(build({})).not.toThrow();
    } finally {
      void pool.end();
    }
  });

  it('sweeps in the bounded shape', () => {
    expect(RATE_LIMIT_STATEMENTS.sweep).toMatch(SWEEP_SHAPE);
  });

  it('stores every scope and key in a form PostgreSQL accepts, distinct inputs apart', () => {
    const inputs = [
      'a',
      'a\u0000',
      'a\\0',
      'a\\\\0',
      '\\h',
      '\\\\h',
      'x'.repeat(512),
      'x'.repeat(513),
      'x'.repeat(5000),
    ];
    const stored = inputs.map(storedText);
    expect(new Set(stored).size).toBe(inputs.length);
    for (const s of stored) {
      expect(s).not.toContain('\u0000');
      expect(s.length).toBeLessThanOrEqual(1024);
    }
    expect(storedText('203.0.113.7')).toBe('203.0.113.7');
  });
});

describeWithService('PostgreSQL', postgresUp, 'postgres rate-limit store', () => {
  const schema = testSchemaName();
  let pool: pg.Pool;
  const others: OtherProcess[] = [];
  beforeAll(async () => {
    pool = testPool({ max: 20 });
    await migrate(pool, { schema });
    others.push(...(await Promise.all([startOtherProcess(schema), startOtherProcess(schema)])));
  }, 60_000);
  afterAll(async () => {
    await Promise.all(others.map((o) => o.stop()));
    await dropSchema(pool, schema);
    await pool.end();
  });
  const open = () => postgresRateLimitStore({ pool, schema, timeout: '20s' });
  const rowsOf = async (key: string) =>
    (
      await pool.query<{ algorithm: string; expires_at: string; blocked_until: string; ttl: string }>(
        inTestSchema(
          schema,
          'SELECT algorithm, expires_at, blocked_until, expires_at - {schema}.now_ms() AS ttl FROM {schema}.rate_limits WHERE key = $1',
        ),
        [key],
      )
    ).rows;

  runRateLimitStoreConformance('postgres', async () => ({ store: open(), close: async () => {} }));

  it.each(ALGORITHMS)('%s: gives every written row an expiry, counters and blocks alike', async (algorithm) => {
    const store = open();
    const key = fresh('ttl');
    const c = [check(key, 1, 60_000, 120_000)];
    await store.consume(algorithm, c, 1);
    const [counted] = await rowsOf(key);
    expect(Number(counted?.ttl)).toBeGreaterThan(0);
    // At most how long the state matters: two windows for the sliding window, one otherwise.
    expect(Number(counted?.ttl)).toBeLessThanOrEqual(algorithm === 'sliding-window' ? 120_000 : 60_000);
    expect((await store.consume(algorithm, c, 1)).allowed).toBe(false);
    const [blocked] = await rowsOf(key);
    expect(Number(blocked?.ttl)).toBeGreaterThan(110_000);
    expect(Number(blocked?.blocked_until)).toBeGreaterThan(Date.now() + 100_000);
  });

  it.each(ALGORITHMS)('%s: a refund gives back without moving the expiry', async (algorithm) => {
    const store = open();
    const key = fresh('refund');
    const c = [check(key, 3, 60_000)];
    await store.consume(algorithm, c, 2, T0);
    const before = (await rowsOf(key))[0]?.expires_at;
    await store.refund(algorithm, c, 1, T0 + 10);
    expect((await rowsOf(key))[0]?.expires_at).toBe(before);
    expect((await store.peek(algorithm, c, 1, T0 + 10)).outcomes[0]?.remaining).toBeGreaterThanOrEqual(1);
    expect((await store.consume(algorithm, c, 2, T0 + 10)).allowed).toBe(true);
    expect((await store.consume(algorithm, c, 1, T0 + 10)).allowed).toBe(false);
  });

  it('keys with NUL, backslashes or thousands of characters count like any other, apart', async () => {
    const store = open();
    const base = fresh('odd');
    const keys = [`${base}\u0000`, `${base}\\0`, `${base}${'y'.repeat(4000)}`, `${base}${'y'.repeat(4001)}`];
    for (const key of keys) {
      expect((await store.consume('fixed-window', [check(key, 1, 60_000)], 1, T0)).allowed).toBe(true);
    }
    for (const key of keys) {
      expect((await store.consume('fixed-window', [check(key, 1, 60_000)], 1, T0)).allowed).toBe(false);
    }
    await store.reset([{ scope: 'pg:a', key: keys[0] as string }]);
    expect((await store.consume('fixed-window', [check(keys[0] as string, 1, 60_000)], 1, T0)).allowed).toBe(true);
    expect((await store.consume('fixed-window', [check(keys[1] as string, 1, 60_000)], 1, T0)).allowed).toBe(false);
  });

  it('reset forgets a key under every algorithm', async () => {
    const store = open();
    const key = fresh('reset-all');
    for (const algorithm of ALGORITHMS) await store.consume(algorithm, [check(key, 1, 60_000)], 1, T0);
    expect(await rowsOf(key)).toHaveLength(4);
    await store.reset([{ scope: 'pg:a', key }]);
    expect(await rowsOf(key)).toHaveLength(0);
  });

  it('200 concurrent checks of two limits, named in both orders, never deadlock and admit exactly the narrow limit', async () => {
    const store = open();
    const wide = check(fresh('wide'), 150, 600_000, 0, 'pg:wide');
    const narrow = check(fresh('narrow'), 23, 600_000, 0, 'pg:narrow');
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        store.consume('sliding-window', i % 2 ? [wide, narrow] : [narrow, wide], 1, T0),
      ),
    );
    expect(results.filter((r) => r.allowed)).toHaveLength(23);
    // All or nothing: the wide limit counted only the 23 admitted (a peek of 1 reports the room after it).
    expect((await store.peek('sliding-window', [wide], 1, T0)).outcomes[0]?.remaining).toBe(150 - 23 - 1);
  });

  it('200 concurrent checks through two stores (two pools) on one key admit exactly the limit', async () => {
    const other = testPool({ max: 20 });
    try {
      const stores = [open(), postgresRateLimitStore({ pool: other, schema, timeout: '20s' })];
      const c = [check(fresh('two-pools'), 41, 600_000)];
      const results = await Promise.all(
        Array.from({ length: 200 }, (_, i) => (stores[i % 2] as (typeof stores)[0]).consume('gcra', c, 1)),
      );
      expect(results.filter((r) => r.allowed)).toHaveLength(41);
    } finally {
      await other.end();
    }
  });

  it.each(ALGORITHMS)(
    '%s: three processes, 100 checks each at one instant on one key, admit exactly the limit',
    async (algorithm) => {
      const store = open();
      const c = [check(fresh(`processes-${algorithm}`), 53, 600_000)];
      const startAt = Date.now() + 300;
      const here = (async () => {
        while (Date.now() < startAt) await new Promise((r) => setImmediate(r));
        const results = await Promise.all(Array.from({ length: 100 }, () => store.consume(algorithm, c, 1)));
        return results.filter((r) => r.allowed).length;
      })();
      const admitted = await Promise.all([
        here,
        ...others.map((other) => other.call<number>('consume', [algorithm, c, 100], startAt)),
      ]);
      expect(admitted.reduce((a, b) => a + b, 0)).toBe(53);
      // The stored count agrees: the limit is used up, not passed.
      expect((await store.peek(algorithm, c, 0)).outcomes[0]?.remaining).toBe(0);
    },
  );

  it('rejects with the store codes when PostgreSQL stalls or goes away, and counts nothing late', async () => {
    const proxy = await startPgProxy();
    const through = testPool({ port: proxy.port, max: 2 });
    try {
      const store = postgresRateLimitStore({ pool: through, schema, timeout: '300ms' });
      const c = [check(fresh('outage'), 5, 600_000)];
      expect((await store.consume('fixed-window', c, 1)).allowed).toBe(true);
      proxy.freeze();
      await expect(store.consume('fixed-window', c, 1)).rejects.toMatchObject({ code: 'store_timeout' });
      await proxy.stop();
      await expect(store.consume('fixed-window', c, 1)).rejects.toMatchObject({ code: 'store_unavailable' });
      // Read straight from the server: only the first consume counted (5 - 1, less the peek's 1).
      expect((await open().peek('fixed-window', c, 1)).outcomes[0]?.remaining).toBe(3);
    } finally {
      await proxy.stop();
      await through.end().catch(() => {});
    }
  });

  it('times with the database clock when no now is given', async () => {
    const store = open();
    const { rows } = await pool.query<{ now: string }>(inTestSchema(schema, 'SELECT {schema}.now_ms() AS now'));
    const result = await store.consume('token-bucket', [check(fresh('clock'), 5, 60_000)], 1);
    expect(result.now).toBeGreaterThanOrEqual(Number(rows[0]?.now));
    expect(result.now - Number(rows[0]?.now)).toBeLessThan(5_000);
  });

  it('a consume past its deadline rejects and changes nothing', async () => {
    const store = open();
    const c = [check(fresh('late'), 5, 60_000)];
    await expect(store.consume('fixed-window', c, 1, undefined, Date.now() - 1)).rejects.toMatchObject({
      code: 'store_deadline_passed',
    });
    await expect(store.refund('fixed-window', c, 1, undefined, Date.now() - 1)).rejects.toMatchObject({
      code: 'store_deadline_passed',
    });
    await expect(store.reset(c, Date.now() - 1)).rejects.toMatchObject({ code: 'store_deadline_passed' });
    expect((await store.peek('fixed-window', c, 1)).outcomes[0]?.remaining).toBe(4);
  });

  it('a consume that waits on a row lock past its deadline writes nothing', async () => {
    const store = open();
    const key = fresh('stalled');
    // An hour: a fixed window starts on a multiple of its length, and a minute's boundary
    // falling between the first consume and the peek (the test takes about 0.4 s) made the
    // peek see a new window (remaining 4), about once in 150 runs.
    const c = [check(key, 5, 3_600_000)];
    await store.consume('fixed-window', c, 1);
    const holder = await pool.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(inTestSchema(schema, 'SELECT 1 FROM {schema}.rate_limits WHERE key = $1 FOR UPDATE'), [key]);
      const late = store.consume('fixed-window', c, 1, undefined, Date.now() + 100);
      late.catch(() => {});
      await new Promise((r) => setTimeout(r, 300));
      await holder.query('COMMIT');
      await expect(late).rejects.toMatchObject({ code: 'store_deadline_passed' });
    } finally {
      holder.release();
    }
    // Only the first consume counted (a peek of 1 reports the room after it: 5 - 1 - 1).
    expect((await store.peek('fixed-window', c, 1)).outcomes[0]?.remaining).toBe(3);
  });

  it('consume is one transaction of four statements; peek one statement', async () => {
    const counter = countStatements(pool);
    const store = open();
    const c = [check(fresh('trips'), 5, 60_000), check(fresh('trips'), 5, 60_000, 0, 'pg:b')];
    expect(await counter.during(() => store.consume('gcra', c, 1))).toBe(4);
    expect(await counter.during(() => store.peek('gcra', c, 1))).toBe(1);
  });

  it('sweep deletes expired rows in bounded batches, live ones stay', async () => {
    const store = open();
    const live = fresh('live');
    await store.consume('fixed-window', [check(live, 5, 600_000)], 1);
    const gone = Array.from({ length: 5 }, () => fresh('gone'));
    for (const key of gone) await store.consume('fixed-window', [check(key, 5, 600_000)], 1);
    await pool.query(
      inTestSchema(schema, 'UPDATE {schema}.rate_limits SET expires_at = 1 WHERE key = ANY($1::text[])'),
      [gone],
    );
    const first = await store.sweep({ batchSize: 2, maxBatches: 1 });
    expect(first).toEqual({ deleted: 2, more: true });
    const rest = await store.sweep({ batchSize: 1000 });
    expect(rest.deleted).toBeGreaterThanOrEqual(3);
    expect(rest.more).toBe(false);
    for (const key of gone) expect(await rowsOf(key)).toHaveLength(0);
    expect(await rowsOf(live)).toHaveLength(1);
    // A swept key starts over.
    expect((await store.peek('fixed-window', [check(gone[0] as string, 5, 600_000)], 1)).outcomes[0]?.remaining).toBe(
      4,
    );
  });
});
