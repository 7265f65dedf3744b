import {
  type AuthorizationCodeStoreSubject,
  describeWithService,
  runAuthorizationCodeStoreConformance,
} from '@bulwark/testkit';
import { authorizationCodeHash, createPkcePair, newAuthorizationCode, type RedeemResult } from '@bulwark/tokens';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../migrate.js';
import { SWEEP_SHAPE } from '../sweep.js';
import { type OtherProcess, startOtherProcess } from '../testing/other-process.js';
import { dropSchema, inTestSchema, postgresUp, testPool, testSchemaName } from '../testing/pg.js';
import { countStatements } from '../testing/round-trips.js';
import { CODE_STATEMENTS } from './statements.js';
import { postgresAuthorizationCodeStore } from './store.js';

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const record = async () => ({
  clientId: 'notes-spa',
  redirectUri: 'http://localhost:5173/callback',
  codeChallenge: (await createPkcePair()).challenge,
  scopes: ['notes:read'],
  subject: 'user-1',
  familyId: 'family-1',
});

describe('postgres authorization code store options', () => {
  it('refuses malformed options, naming each', () => {
    const pool = testPool();
    try {
      const build = (extra: Record<string, unknown>) => () => postgresAuthorizationCodeStore({ pool, ...extra });
      expect(build({ pool: undefined })).toThrow(expect.objectContaining({ option: 'pool' }));
      expect(build({ schema: 'pg_catalog' })).toThrow(expect.objectContaining({ option: 'schema' }));
      expect(build({ timeout: '2m' })).toThrow(expect.objectContaining({ option: 'timeout' }));
      expect(build({ keyPrefix: 'x' })).toThrow(expect.objectContaining({ option: 'keyPrefix' }));
      expect(build({})).not.toThrow();
    } finally {
      void pool.end();
    }
  });

  it('sweeps in the bounded shape', () => {
    expect(CODE_STATEMENTS.sweep).toMatch(SWEEP_SHAPE);
  });
});

describeWithService('PostgreSQL', postgresUp, 'postgres authorization code store', () => {
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
  let next = 0;

  runAuthorizationCodeStoreConformance(
    'postgres',
    (): AuthorizationCodeStoreSubject => ({
      store: postgresAuthorizationCodeStore({ pool, schema, timeout: '20s' }),
      // The database's clock cannot be moved: its time has to pass.
      elapse: async (ms) => {
        await pause(ms);
      },
      redeemFromOtherProcess: (hash, count, startAt) =>
        (others[next++ % others.length] as OtherProcess).call<RedeemResult['outcome'][]>(
          'redeem',
          [hash, count],
          startAt,
        ),
    }),
    { otherProcesses: true },
  );

  it('each operation is one statement; no code is stored, only its hash', async () => {
    const store = postgresAuthorizationCodeStore({ pool, schema });
    const counter = countStatements(pool);
    const code = newAuthorizationCode();
    const hash = await authorizationCodeHash(code);
    const r = await record();
    expect(await counter.during(() => store.save(hash, r, 60_000))).toBe(1);
    expect(await counter.during(() => store.redeem(hash))).toBe(1);
    expect(await counter.during(() => store.redeem(hash))).toBe(1);
    expect(await counter.during(() => store.wasReused(hash))).toBe(1);
    const dump = await pool.query(inTestSchema(schema, 'SELECT * FROM {schema}.oauth_codes WHERE code_hash = $1'), [
      hash,
    ]);
    expect(JSON.stringify(dump.rows)).not.toContain(code);
  });

  it('two schemas on one pool keep their codes apart (prepared statements are named per text)', async () => {
    const second = testSchemaName();
    await migrate(pool, { schema: second });
    try {
      const [a, b] = [
        postgresAuthorizationCodeStore({ pool, schema }),
        postgresAuthorizationCodeStore({ pool, schema: second }),
      ];
      const hash = await authorizationCodeHash(newAuthorizationCode());
      // Many calls at once, so each of the pool's connections prepares both texts.
      await Promise.all([a.save(hash, await record(), 60_000), b.save(hash, await record(), 60_000)]);
      const outcomes = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).redeem(hash).then((r) => r.outcome)),
      );
      expect(outcomes.filter((o) => o === 'redeemed')).toHaveLength(2);
    } finally {
      await dropSchema(pool, second);
    }
  });

  it('sweeps expired codes only, in bounded batches', async () => {
    const store = postgresAuthorizationCodeStore({ pool, schema });
    const short = await Promise.all(Array.from({ length: 5 }, () => authorizationCodeHash(newAuthorizationCode())));
    const long = await authorizationCodeHash(newAuthorizationCode());
    for (const hash of short) await store.save(hash, await record(), 1);
    await store.save(long, await record(), 60_000);
    await pause(20);
    const first = await store.sweep({ batchSize: 2, maxBatches: 1 });
    expect(first).toEqual({ deleted: 2, more: true });
    const rest = await store.sweep({ batchSize: 100 });
    expect(rest.more).toBe(false);
    expect(rest.deleted).toBeGreaterThanOrEqual(3);
    const left = await pool.query(
      inTestSchema(schema, 'SELECT code_hash FROM {schema}.oauth_codes WHERE code_hash = ANY ($1::text[])'),
      [[...short, long]],
    );
    expect(left.rows.map((row) => row.code_hash)).toEqual([long]);
    expect((await store.redeem(long)).outcome).toBe('redeemed');
  });

  it('a record that came back malformed is a store failure, never a grant', async () => {
    const store = postgresAuthorizationCodeStore({ pool, schema });
    const hash = await authorizationCodeHash(newAuthorizationCode());
    await store.save(hash, await record(), 60_000);
    await pool.query(
      inTestSchema(schema, "UPDATE {schema}.oauth_codes SET code_challenge = 'x' WHERE code_hash = $1"),
      [hash],
    );
    await expect(store.redeem(hash)).rejects.toMatchObject({ code: 'store_unavailable' });
  });
});

describeWithService(
  'PostgreSQL',
  postgresUp,
  'postgres authorization code store when PostgreSQL is unreachable',
  () => {
    it('rejects with a store error at once (a code is never granted on a guess), naming no hash', async () => {
      const pool = testPool({ port: 1, connectionTimeoutMillis: 500 });
      try {
        const store = postgresAuthorizationCodeStore({ pool, timeout: '2s' });
        const hash = await authorizationCodeHash(newAuthorizationCode());
        const started = Date.now();
        for (const call of [() => store.redeem(hash), () => store.wasReused(hash)]) {
          const error = await call().then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(error).toMatchObject({ code: expect.stringMatching(/^store_(unavailable|timeout)$/) });
          expect((error as Error).message).toMatch(/^authorizationCodes\.\w+: /);
          expect((error as Error).message).not.toContain(hash);
        }
        expect(Date.now() - started).toBeLessThan(4_000);
      } finally {
        await pool.end();
      }
    });
  },
);
