import { manualClock } from '@bulwark/core';
import { DEFAULT_RULES, type LockoutOptions, type LockoutTarget, lockout } from '@bulwark/lockout';
import { describeWithService, type LockoutStoreSubject, runLockoutStoreConformance } from '@bulwark/testkit';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../migrate.js';
import { SWEEP_SHAPE } from '../sweep.js';
import { type OtherProcess, startOtherProcess } from '../testing/other-process.js';
import { dropSchema, inTestSchema, postgresUp, testPool, testSchemaName } from '../testing/pg.js';
import { countStatements } from '../testing/round-trips.js';
import { LOCKOUT_STATEMENTS } from './statements.js';
import { postgresLockoutStore } from './store.js';

describe('postgres lockout store options', () => {
  it('refuses malformed options, naming each', () => {
    const pool = testPool();
    try {
      const build = (extra: Record<string, unknown>) => () => postgresLockoutStore({ pool, ...extra });
      expect(build({ pool: 'postgres://x' })).toThrow(expect.objectContaining({ option: 'pool' }));
      expect(build({ schema: '' })).toThrow(expect.objectContaining({ option: 'schema' }));
      expect(build({ clock: {} })).toThrow(expect.objectContaining({ option: 'clock' }));
      expect(build({ timeout: 'soon' })).toThrow(expect.objectContaining({ option: 'timeout' }));
      expect(build({ keyPrefix: 'x' })).toThrow(expect.objectContaining({ option: 'keyPrefix' }));
      expect(build({})).not.toThrow();
    } finally {
      void pool.end();
    }
  });

  it('sweeps in the bounded shape', () => {
    expect(LOCKOUT_STATEMENTS.sweep).toMatch(SWEEP_SHAPE);
  });
});

describeWithService('PostgreSQL', postgresUp, 'postgres lockout store', () => {
  const schema = testSchemaName();
  let pool: pg.Pool;
  let other: OtherProcess;
  beforeAll(async () => {
    pool = testPool({ max: 20 });
    await migrate(pool, { schema });
    other = await startOtherProcess(schema);
  }, 60_000);
  afterAll(async () => {
    await other?.stop();
    await dropSchema(pool, schema);
    await pool.end();
  });

  runLockoutStoreConformance('postgres', async (): Promise<LockoutStoreSubject> => {
    const clock = manualClock();
    return {
      store: postgresLockoutStore({ pool, schema, clock, timeout: '20s' }),
      clock,
      close: async () => {},
      failFromOtherProcess: (target: LockoutTarget, options: LockoutOptions, attempts: number) =>
        other.call<number>('fail', [target, options, attempts]),
    };
  });

  it('counts on the database clock without a clock option, and each operation is one statement', async () => {
    const store = postgresLockoutStore({ pool, schema });
    const counter = countStatements(pool);
    const target = { account: 'rt-tag', ip: '192.0.2.45' };
    const before = Date.now();
    const first = await store.reserve(target, DEFAULT_RULES);
    expect(first).toMatchObject({ allowed: true, counts: { pair: 1, account: 1, ip: 1 } });
    expect(Math.abs(first.now - before)).toBeLessThan(5_000);
    const ops: Array<[string, () => Promise<unknown>]> = [
      ['reserve', async () => store.reserve(target, DEFAULT_RULES)],
      ['refund', async () => store.refund(target, DEFAULT_RULES, [])],
      ['clear', async () => store.clear({ account: target.account, ip: target.ip }, DEFAULT_RULES)],
      ['inspect', async () => store.inspect(target, DEFAULT_RULES)],
    ];
    for (const [name, op] of ops) expect(await counter.during(op), name).toBe(1);
  });

  it('locks through lockout() on the database clock, and sweeps only rows that say nothing', async () => {
    const store = postgresLockoutStore({ pool, schema });
    const signIns = lockout({ store });
    const target = { account: 'sweep@example.com', ip: '192.0.2.46' };
    for (let i = 0; i < 5; i++) {
      const attempt = await signIns.reserve(target);
      if (attempt.allowed) await attempt.settle(false);
    }
    const status = await signIns.status(target);
    expect(status.pair.lockedUntil).toBeGreaterThan(Date.now() + 14 * 60_000);
    // A row past its expiry (moved back by hand) goes; the lock stays.
    await pool.query(
      inTestSchema(
        schema,
        "INSERT INTO {schema}.lockout_records (scope, account, ip, expires_at) VALUES ('i', '', 'gone', 1)",
      ),
    );
    const swept = await store.sweep({ batchSize: 1000 });
    expect(swept.deleted).toBeGreaterThanOrEqual(1);
    const gone = await pool.query(inTestSchema(schema, "SELECT 1 FROM {schema}.lockout_records WHERE ip = 'gone'"));
    expect(gone.rowCount).toBe(0);
    expect((await signIns.status(target)).pair.lockedUntil).toBe(status.pair.lockedUntil);
  });

  it('a refused attempt leaves no row behind (attempts at a locked account from fresh IPs)', async () => {
    const store = postgresLockoutStore({ pool, schema });
    const signIns = lockout({ store, pair: { attempts: 3 }, account: { attempts: 3 } });
    const account = `locked-${Date.now()}@example.com`;
    for (let i = 0; i < 3; i++) {
      const attempt = await signIns.reserve({ account, ip: `192.0.2.${100 + i}` });
      if (attempt.allowed) await attempt.settle(false);
    }
    const rows = inTestSchema(schema, 'SELECT count(*)::int AS n FROM {schema}.lockout_records');
    const before = (await pool.query(rows)).rows[0].n;
    for (let i = 0; i < 20; i++) {
      expect((await signIns.reserve({ account, ip: `203.0.113.${i}` })).allowed).toBe(false);
    }
    expect((await pool.query(rows)).rows[0].n).toBe(before);
  });

  it('refuses a NUL in a target before it reaches the server', async () => {
    const store = postgresLockoutStore({ pool, schema });
    await expect(store.reserve({ account: 'a\u0000', ip: 'x' }, DEFAULT_RULES)).rejects.toMatchObject({
      code: 'invalid_argument',
    });
  });
});

describeWithService('PostgreSQL', postgresUp, 'postgres lockout store when PostgreSQL is unreachable', () => {
  it('lockout() rejects the attempt with a store error before any password check, within the timeout', async () => {
    const pool = testPool({ port: 1, connectionTimeoutMillis: 500 });
    try {
      const signIns = lockout({ store: postgresLockoutStore({ pool, timeout: '2s' }) });
      const started = Date.now();
      const error = await signIns.reserve({ account: 'down@example.com', ip: '192.0.2.47' }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toMatchObject({ code: expect.stringMatching(/^store_(unavailable|timeout)$/) });
      expect((error as Error).message).toMatch(/^lockout\.reserve: /);
      expect(Date.now() - started).toBeLessThan(3_000);
    } finally {
      await pool.end();
    }
  });
});
