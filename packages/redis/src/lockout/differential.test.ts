import { manualClock } from '@bulwark/core';
import { compileRules, type EngagedLock, type LockoutStore, memoryLockoutStore } from '@bulwark/lockout';
import { describeWithService, portOpen } from '@bulwark/testkit';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, expect, it } from 'vitest';
import { redisLockoutStore } from './store.js';

// The Lua scripts and the memory store's steps are twins: run on the same generated
// sequences (same clock), they must answer alike, step by step.
const redisUp = await portOpen('127.0.0.1', 6379);
const rules = compileRules({
  pair: { attempts: 3, within: '10s', lockFor: '5s', maxLockFor: '20s' },
  account: { attempts: 5, within: '10s', lockFor: '5s', maxLockFor: '20s' },
  ip: { attempts: 6, within: '10s', lockFor: '5s', maxLockFor: '20s' },
});
const accounts = ['a', 'b'];
const ips = ['192.0.2.1', '192.0.2.2'];

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

async function play(store: LockoutStore, ops: readonly Op[]): Promise<unknown[]> {
  const trace: unknown[] = [];
  for (const o of ops) {
    if (o.kind === 'wait') continue;
    if (o.kind === 'clear') {
      if (o.account === undefined && o.ip === undefined) continue;
      const target = {
        account: o.account === undefined ? undefined : (accounts[o.account] as string),
        ip: o.ip === undefined ? undefined : (ips[o.ip] as string),
      };
      await store.clear(target, rules);
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

describeWithService('redis-server', redisUp, 'lockout: Lua twin of the memory steps', () => {
  const client = new Redis({ host: '127.0.0.1', port: 6379 });
  afterAll(async () => {
    await client.quit();
  });
  let run = 0;

  it('answers like the memory store on generated sequences (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 30, maxLength: 80 }), async (ops) => {
        const start = 1_800_000_000_000;
        const [memoryClock, redisClock] = [manualClock(start), manualClock(start)];
        const memory = memoryLockoutStore({ clock: memoryClock });
        const redis = redisLockoutStore({
          client,
          clock: redisClock,
          keyPrefix: `bulwark:test-lockout-diff:${process.pid}:${++run}`,
        });
        // The clocks move together: each wait advances both before the next step.
        const stepped = async (store: LockoutStore, clock: ReturnType<typeof manualClock>) => {
          const out: unknown[] = [];
          for (const o of ops) {
            if (o.kind === 'wait') clock.advance(o.ms);
            else out.push(...(await play(store, [o])));
          }
          return out;
        };
        const [fromRedis, fromMemory] = [await stepped(redis, redisClock), await stepped(memory, memoryClock)];
        expect(fromRedis).toEqual(fromMemory);
      }),
      { numRuns: 60 },
    );
  }, 60_000);
});
