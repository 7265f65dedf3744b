import { describeWithService, type RefreshStoreSubject, runRefreshTokenStoreConformance } from '@bulwark/testkit';
import { type RotateInput, type RotateResult, subjectTag } from '@bulwark/tokens';
import fc from 'fast-check';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../migrate.js';
import { SWEEP_SHAPE } from '../sweep.js';
import { type OtherProcess, startOtherProcess } from '../testing/other-process.js';
import { dropSchema, inTestSchema, postgresUp, testPool, testSchemaName } from '../testing/pg.js';
import { countStatements } from '../testing/round-trips.js';
import { REFRESH_STATEMENTS } from './statements.js';
import { postgresRefreshTokenStore } from './store.js';

const DAY = 86_400_000;
let sequence = 0;
const random = (bytes: number) =>
  Buffer.from(crypto.getRandomValues(new Uint8Array(bytes)))
    .toString('base64url')
    .slice(0, bytes);

describe('postgres refresh-token store options', () => {
  it('refuses malformed options, naming each', () => {
    const pool = testPool();
    try {
      const build = (extra: Record<string, unknown>) => () => postgresRefreshTokenStore({ pool, ...extra });
      expect(build({ pool: {} })).toThrow(expect.objectContaining({ option: 'pool' }));
      expect(build({ schema: 'Bad"; DROP' })).toThrow(expect.objectContaining({ option: 'schema' }));
      expect(build({ timeout: 0 })).toThrow(expect.objectContaining({ option: 'timeout' }));
      expect(build({ endedRetention: '1s' })).toThrow(expect.objectContaining({ option: 'endedRetention' }));
      expect(build({ endedRetention: '31d' })).toThrow(expect.objectContaining({ option: 'endedRetention' }));
      expect(build({ retention: '1d' })).toThrow(expect.objectContaining({ option: 'retention' }));
      expect(build({})).not.toThrow();
    } finally {
      void pool.end();
    }
  });

  it('sweeps in the bounded shape (a LIMITed sub-select, never a bare DELETE)', () => {
    expect(REFRESH_STATEMENTS.sweep).toMatch(SWEEP_SHAPE);
  });
});

describeWithService('PostgreSQL', postgresUp, 'postgres refresh-token store', () => {
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

  const store = () => postgresRefreshTokenStore({ pool, schema, timeout: '20s' });
  const rotateThere = (inputs: readonly RotateInput[], at?: number) =>
    other.call<readonly RotateResult[]>('rotate', inputs, at);

  runRefreshTokenStoreConformance(
    'postgres',
    async (): Promise<RefreshStoreSubject> => ({
      store: store(),
      close: async () => {},
      rotateInOtherProcess: (inputs) => rotateThere(inputs),
    }),
    { windowMs: 600 },
  );

  async function family(overrides: { subject?: string; maxFamilies?: number } = {}) {
    const s = store();
    const subject = overrides.subject ?? `user-${process.pid}-${++sequence}`;
    const tag = subjectTag(subject);
    const familyId = tag + random(22);
    const first = random(43);
    const created = await s.createFamily({
      familyId,
      subject,
      subjectTag: tag,
      clientId: 'notes-spa',
      scopes: ['notes:read'],
      tokenHash: first,
      absoluteLifetimeMs: 30 * DAY,
      idleLifetimeMs: 7 * DAY,
      maxFamilies: overrides.maxFamilies ?? 10,
    });
    return { familyId, subject, tag, first, created };
  }
  const rotateInput = (familyId: string, presentedHash: string, graceMs = 0): RotateInput => ({
    familyId,
    presentedHash,
    childHash: random(43),
    sealedChild: graceMs > 0 ? random(40) : '',
    graceMs,
    idleLifetimeMs: 7 * DAY,
  });

  it('two processes rotating the same tokens at the same instant: exactly one rotated each', async () => {
    const s = store();
    for (const grace of [0, 60_000]) {
      const families = await Promise.all(Array.from({ length: 30 }, () => family()));
      const here = families.map((f) => rotateInput(f.familyId, f.first, grace));
      const there = families.map((f) => rotateInput(f.familyId, f.first, grace));
      const at = Date.now() + 300;
      const [mine, theirs] = await Promise.all([
        (async () => {
          await new Promise((r) => setTimeout(r, Math.max(0, at - Date.now())));
          return Promise.all(here.map((input) => s.rotate(input)));
        })(),
        rotateThere(there, at),
      ]);
      for (const [i, f] of families.entries()) {
        const pair = [mine[i], theirs[i]];
        expect(
          pair.filter((r) => r?.outcome === 'rotated'),
          f.familyId,
        ).toHaveLength(1);
        const winner = mine[i]?.outcome === 'rotated' ? here[i] : there[i];
        const loser = pair.find((r) => r?.outcome !== 'rotated');
        if (grace > 0) expect(loser).toMatchObject({ outcome: 'grace', sealedChild: winner?.sealedChild });
        else expect(loser).toMatchObject({ outcome: 'reused', presentedGeneration: 0 });
      }
    }
  });

  it('times everything by the database clock, whatever this process says', async () => {
    const realNow = Date.now;
    Date.now = () => realNow() + 30 * DAY;
    try {
      const f = await family();
      const [{ db }] = (await pool.query('SELECT floor(extract(epoch FROM clock_timestamp()) * 1000) AS db')).rows;
      expect(Math.abs(f.created.now - Number(db))).toBeLessThan(5_000);
      expect((await store().rotate(rotateInput(f.familyId, f.first))).outcome).toBe('rotated');
    } finally {
      Date.now = realNow;
    }
  });

  it('each operation is one statement, one round trip', async () => {
    const counter = countStatements(pool);
    const s = store();
    const f = await family();
    const g = await family({ subject: f.subject });
    const h = await family();
    await s.rotate(rotateInput(h.familyId, h.first));
    const one = rotateInput(f.familyId, f.first, 60_000);
    const ops: Array<[string, () => Promise<unknown>]> = [
      ['createFamily', () => family({ subject: f.subject, maxFamilies: 2 })],
      ['rotate (rotated)', () => s.rotate(one)],
      ['rotate (grace)', () => s.rotate(rotateInput(f.familyId, f.first, 60_000))],
      [
        'rotate (unknown)',
        async () => expect((await s.rotate(rotateInput(f.familyId, random(43), 60_000))).outcome).toBe('invalid'),
      ],
      [
        'rotate (reused)',
        async () => expect((await s.rotate(rotateInput(h.familyId, h.first))).outcome).toBe('reused'),
      ],
      ['getFamily', () => s.getFamily(f.familyId)],
      ['revokeFamily', () => s.revokeFamily(g.familyId)],
      ['revokeSubject', () => s.revokeSubject(f.subject, f.tag)],
    ];
    for (const [name, op] of ops) expect(await counter.during(op), name).toBe(1);
  });

  it('drops spent hashes at a revocation, keeps no token, and sweeps only ended families', async () => {
    const s = postgresRefreshTokenStore({ pool, schema, endedRetention: '1m' });
    const f = await family();
    const one = rotateInput(f.familyId, f.first, 60_000);
    await s.rotate(one);
    const spent = inTestSchema(schema, 'SELECT count(*)::int AS n FROM {schema}.refresh_spent WHERE family_id = $1');
    expect((await pool.query(spent, [f.familyId])).rows[0].n).toBe(1);
    expect(await s.revokeFamily(f.familyId)).toBe(true);
    expect((await pool.query(spent, [f.familyId])).rows[0].n).toBe(0);
    const row = (
      await pool.query(inTestSchema(schema, 'SELECT * FROM {schema}.refresh_families WHERE family_id = $1'), [
        f.familyId,
      ])
    ).rows[0];
    expect(row.grace_sealed).toBeNull();
    // A family that ended long ago (moved back by hand) is swept; a live one stays.
    const live = await family();
    const ended = await family();
    await pool.query(
      inTestSchema(
        schema,
        'UPDATE {schema}.refresh_families SET idle_expires_at = 1, absolute_expires_at = 1, reclaim_at = 2 WHERE family_id = $1',
      ),
      [ended.familyId],
    );
    await s.rotate(rotateInput(ended.familyId, ended.first));
    expect((await s.getFamily(ended.familyId))?.status).toBe('expired');
    let deleted = 0;
    for (;;) {
      const swept = await s.sweep({ batchSize: 1, maxBatches: 5 });
      deleted += swept.deleted;
      if (!swept.more) break;
    }
    expect(deleted).toBeGreaterThanOrEqual(1);
    expect(await s.getFamily(ended.familyId)).toBeUndefined();
    expect((await s.getFamily(live.familyId))?.status).toBe('live');
    expect((await s.rotate(rotateInput(ended.familyId, ended.first))).outcome).toBe('invalid');
  });

  it('a rotation or creation that waited for a lock past its timeout changes nothing once it gets it', async () => {
    const f = await family();
    const holder = await pool.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(
        inTestSchema(schema, 'SELECT 1 FROM {schema}.refresh_families WHERE family_id = $1 FOR UPDATE'),
        [f.familyId],
      );
      // The subject's creations wait on this (the class and key of refresh_create's advisory lock).
      await holder.query('SELECT pg_advisory_xact_lock(1651663189, hashtext($1))', [f.subject]);
      const hurried = postgresRefreshTokenStore({ pool, schema, timeout: '300ms' });
      const started = Date.now();
      const answers = await Promise.allSettled([
        hurried.rotate(rotateInput(f.familyId, f.first)),
        hurried.createFamily({
          familyId: f.tag + random(22),
          subject: f.subject,
          subjectTag: f.tag,
          clientId: 'notes-spa',
          scopes: [],
          tokenHash: random(43),
          absoluteLifetimeMs: DAY,
          idleLifetimeMs: DAY,
          maxFamilies: 1,
        }),
      ]);
      for (const answer of answers)
        expect(answer).toMatchObject({ status: 'rejected', reason: { code: 'store_timeout' } });
      expect(Date.now() - started).toBeLessThan(1_500);
      // The statements are still waiting in PostgreSQL: let them have the locks, late.
      await new Promise((r) => setTimeout(r, 700));
      await holder.query('COMMIT');
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      holder.release();
    }
    // Nothing happened: the token is still live, and the cap of 1 evicted nobody.
    expect(await store().getFamily(f.familyId)).toMatchObject({ status: 'live', generation: 0 });
    expect(await store().revokeSubject(f.subject, f.tag)).toEqual([f.familyId]);
  });

  it('gives back any subject, client id and scopes exactly (property)', async () => {
    const s = store();
    // PostgreSQL text holds any character but NUL (refused before the query: see below).
    const text = fc.string({ unit: 'grapheme', maxLength: 40 }).filter((t) => !t.includes('\u0000'));
    await fc.assert(
      fc.asyncProperty(text, text, fc.array(text, { maxLength: 5 }), async (name, clientId, scopes) => {
        const subject = `${name}-${++sequence}`;
        const tag = subjectTag(subject);
        const familyId = tag + random(22);
        const created = await s.createFamily({
          familyId,
          subject,
          subjectTag: tag,
          clientId,
          scopes,
          tokenHash: random(43),
          absoluteLifetimeMs: 30 * DAY,
          idleLifetimeMs: 7 * DAY,
          maxFamilies: 3,
        });
        expect(await s.getFamily(familyId)).toEqual({
          familyId,
          subject,
          clientId,
          scopes,
          status: 'live',
          generation: 0,
          createdAt: created.now,
          absoluteExpiresAt: created.absoluteExpiresAt,
          idleExpiresAt: created.idleExpiresAt,
        });
      }),
      { numRuns: 40 },
    );
    const f = await family();
    await expect(s.rotate(rotateInput(f.familyId, 'a\u0000b'))).rejects.toMatchObject({ code: 'invalid_argument' });
    await expect(s.getFamily('x\u0000')).rejects.toMatchObject({ code: 'invalid_argument' });
  });
});

describeWithService('PostgreSQL', postgresUp, 'postgres refresh-token store when PostgreSQL is unreachable', () => {
  it('rejects with store_unavailable at once, naming no hash', async () => {
    const pool = testPool({ port: 1, connectionTimeoutMillis: 500 });
    try {
      const s = postgresRefreshTokenStore({ pool, timeout: '2s' });
      const hash = random(43);
      const started = Date.now();
      const error = await s
        .rotate({
          familyId: 'AAAAAAAAx',
          presentedHash: hash,
          childHash: hash,
          sealedChild: '',
          graceMs: 0,
          idleLifetimeMs: 1,
        })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(error).toMatchObject({ code: expect.stringMatching(/^store_(unavailable|timeout)$/) });
      expect((error as Error).message).toMatch(/^refreshTokens\.rotate: /);
      expect((error as Error).message).not.toContain(hash);
      expect(Date.now() - started).toBeLessThan(3_000);
    } finally {
      await pool.end();
    }
  });
});
