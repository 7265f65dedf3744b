import { manualClock } from '@bulwark/core';
import { compileRules, type EngagedLock, type LockoutStore, memoryLockoutStore } from '@bulwark/lockout';
import { describeWithService } from '@bulwark/testkit';
import fc from 'fast-check';
import type pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { migrate } from '../migrate.js';
import { dropSchema, postgresUp, testPool, testSchemaName } from '../testing/pg.js';
import { postgresLockoutStore } from './store.js';

// The plpgsql functions and the memory store's steps are twins: run on the same generated
// sequences (same clock), they must answer alike, step by step.
const rules = compileRules({
  pair: { attempts: 3, within: '10s', lockFor: '5s', maxLockFor: '20s' },
  account: { attempts: 5, within: '10s', lockFor: '5s', maxLockFor: '20s' },
  ip: { attempts: 6, within: '10s', lockFor: '5s', maxLockFor: '20s' },
});

type Op =
  | { kind: 'fail' | 'succeed' | 'abandon'; account: number; ip: number }
  | { kind: 'clear'; account: number | undefined; ip: number | undefined }
  | { kind: 'wait'; ms: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant<'fail'>('fail'), account: fc.nat(1), ip: fc.nat(1) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant<'succeed'>('succeed'), account: fc.nat(1), ip: fc.nat(1) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant<'abandon'>('abandon'), account: fc.nat(1), ip: fc.nat(1) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant<'clear'>('clear'),
      account: fc.option(fc.nat(1), { nil: undefined }),
      ip: fc.option(fc.nat(1), { nil: undefined }),
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant<'wait'>('wait'), ms: fc.integer({ min: 1, max: 7000 }) }) },
);

async function play(store: LockoutStore, clock: ReturnType<typeof manualClock>, ops: readonly Op[], run: number) {
  // Two accounts and two IPs, their own in each run (the runs share one schema).
  const accounts = [`a-${run}`, `b-${run}`];
  const ips = [`192.0.2.1-${run}`, `192.0.2.2-${run}`];
  const trace: unknown[] = [];
  for (const o of ops) {
    if (o.kind === 'wait') {
      clock.advance(o.ms);
      continue;
    }
    if (o.kind === 'clear') {
      if (o.account === undefined && o.ip === undefined) continue;
      const target = {
        account: o.account === undefined ? undefined : (accounts[o.account] as string),
        ip: o.ip === undefined ? undefined : (ips[o.ip] as string),
      };
      trace.push(await store.clear(target, rules));
      continue;
    }
    const target = { account: accounts[o.account] as string, ip: ips[o.ip] as string };
    const answer = await store.reserve(target, rules);
    trace.push(answer);
    if (answer.allowed && o.kind === 'succeed')
      trace.push(await store.refund(target, rules, answer.engaged as EngagedLock[]));
    if (answer.allowed && o.kind === 'abandon')
      trace.push(await store.refund(target, rules, answer.engaged as EngagedLock[], 'unchecked'));
    trace.push(await store.inspect(target, rules));
  }
  return trace;
}

describeWithService('PostgreSQL', postgresUp, 'lockout: plpgsql twin of the memory steps', () => {
  const schema = testSchemaName();
  let pool: pg.Pool;
  beforeAll(async () => {
    pool = testPool();
    await migrate(pool, { schema });
  });
  afterAll(async () => {
    await dropSchema(pool, schema);
    await pool.end();
  });

  it('answers like the memory store on generated sequences (property)', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 30, maxLength: 80 }), async (ops) => {
        run += 1;
        const start = 1_800_000_000_000;
        const [memoryClock, pgClock] = [manualClock(start), manualClock(start)];
        const memory = memoryLockoutStore({ clock: memoryClock });
        const postgres = postgresLockoutStore({ pool, schema, clock: pgClock, timeout: '10s' });
        const [fromPostgres, fromMemory] = [
          await play(postgres, pgClock, ops, run),
          await play(memory, memoryClock, ops, run),
        ];
        expect(fromPostgres).toEqual(fromMemory);
      }),
      { numRuns: 60 },
    );
  }, 120_000);
});
