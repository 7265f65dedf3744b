import { ALGORITHMS, type LimitCheck } from '@bulwark/ratelimit';
import { describeWithService, portOpen, type RedisProcess, startRedisServer } from '@bulwark/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisRateLimitStore } from './store.js';
import { expectNothingCountedLate, runStallScenario } from './testing/stall.js';

const REDIS_PORT = 6379;
/** A throwaway server of this file's own (store.test.ts uses 30701-30703 and 30711). */
const STALL_PORT = 30712;
const redisUp = await portOpen('127.0.0.1', REDIS_PORT);

describeWithService('Redis on 127.0.0.1:6379', redisUp, 'redis store deadlines', () => {
  // ioredis's `stringNumbers` answers integers as strings: the expired reply must read alike.
  describe.each([false, true])('stringNumbers: %s', (stringNumbers) => {
    let client: Redis;
    beforeAll(() => {
      client = new Redis({ host: '127.0.0.1', port: REDIS_PORT, stringNumbers });
    });
    afterAll(async () => {
      await client.quit();
    });
    const fresh = (label: string) => {
      const store = redisRateLimitStore(client, {
        prefix: `bulwark:test-deadline-${stringNumbers ? 's' : 'n'}-${label}-${Date.now()}`,
      });
      const check = (blockMs: number): LimitCheck[] => [
        { scope: 'd', key: `${process.pid}`, limit: 5, windowMs: 60_000, blockMs },
      ];
      return { store, check };
    };

    it.each(ALGORITHMS)(
      '%s: a consume that starts after its deadline changes nothing and rejects',
      async (algorithm) => {
        const { store, check } = fresh(`consume-${algorithm}`);
        expect((await store.consume(algorithm, check(0), 1)).allowed).toBe(true);
        const past = Date.now() - 1;
        // The compact call (cost 1, no block), the full call (cost 2) and a limit with a block.
        for (const [checks, cost] of [
          [check(0), 1],
          [check(0), 2],
          [check(10_000), 1],
        ] as const) {
          await expect(store.consume(algorithm, checks, cost, undefined, past)).rejects.toMatchObject({
            name: 'RedisDeadlineError',
          });
        }
        expect((await store.peek(algorithm, check(0), 0)).outcomes[0]?.remaining).toBe(4);
        // A deadline still ahead counts as usual; so does a call with synthetic time (tests).
        expect((await store.consume(algorithm, check(0), 1, undefined, Date.now() + 5_000)).allowed).toBe(true);
        expect((await store.peek(algorithm, check(0), 0)).outcomes[0]?.remaining).toBe(3);
      },
    );

    it.each(ALGORITHMS)('%s: a refund or a reset that starts after its deadline changes nothing', async (algorithm) => {
      const { store, check } = fresh(`refund-${algorithm}`);
      await store.consume(algorithm, check(0), 3);
      await expect(store.refund(algorithm, check(0), 2, undefined, Date.now() - 1)).rejects.toMatchObject({
        name: 'RedisDeadlineError',
      });
      await expect(store.reset(check(0), Date.now() - 1)).rejects.toMatchObject({ name: 'RedisDeadlineError' });
      expect((await store.peek(algorithm, check(0), 0)).outcomes[0]?.remaining).toBe(2);
      // In time, both apply.
      await store.refund(algorithm, check(0), 2, undefined, Date.now() + 5_000);
      expect((await store.peek(algorithm, check(0), 0)).outcomes[0]?.remaining).toBe(4);
      await store.reset(check(0), Date.now() + 5_000);
      expect((await store.peek(algorithm, check(0), 0)).outcomes[0]?.remaining).toBe(5);
    });

    it('the compact call carries its deadline with the limit; a limit of 2^20 or more takes the full call', async () => {
      const own = new Redis({ host: '127.0.0.1', port: REDIS_PORT, stringNumbers });
      try {
        redisRateLimitStore(own); // defines the commands
        const commands = own as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
        const script = commands.bulwarkRateLimitFixedWindow as (...args: unknown[]) => Promise<unknown>;
        const sent: number[] = [];
        commands.bulwarkRateLimitFixedWindow = function (this: unknown, ...args: unknown[]) {
          sent.push(args.length);
          return script.apply(this, args);
        };
        const store = redisRateLimitStore(own, { prefix: `bulwark:test-deadline-packed-${Date.now()}` });
        for (const [limit, argumentsSent] of [
          [1_000_000, 4], // keys, key, limit + deadline, window
          [2 ** 20, 9], // keys, key, cost, limit, window, block, now, commit, deadline
        ] as const) {
          const check = [{ scope: 'p', key: `${limit}`, limit, windowMs: 60_000, blockMs: 0 }];
          sent.length = 0;
          expect((await store.consume('fixed-window', check, 1, undefined, Date.now() + 5_000)).allowed).toBe(true);
          await expect(store.consume('fixed-window', check, 1, undefined, Date.now() - 1)).rejects.toMatchObject({
            name: 'RedisDeadlineError',
          });
          expect(sent).toEqual([argumentsSent, argumentsSent]);
          expect((await store.peek('fixed-window', check, 0)).outcomes[0]?.remaining).toBe(limit - 1);
        }
      } finally {
        own.disconnect();
      }
    });

    it.each(ALGORITHMS)('%s: a call with synthetic time teaches no clock offset', async (algorithm) => {
      const { store, check } = fresh(`synthetic-${algorithm}`);
      // Synthetic time years ahead, as the differential tests use; its reply echoes it.
      await store.consume(algorithm, check(0), 1, Date.UTC(2030, 0, 1));
      await store.peek(algorithm, check(0), 1, Date.UTC(2030, 0, 1));
      await expect(store.consume(algorithm, check(0), 1, undefined, Date.now() - 1)).rejects.toMatchObject({
        name: 'RedisDeadlineError',
      });
    });

    it("translates a deadline into Redis's clock, learned from replies, when this machine's clock is off", async () => {
      const realNow = Date.now;
      try {
        for (const skew of [3_600_000, -3_600_000, 20 * 86_400_000]) {
          const { store, check } = fresh(`skew-${skew}`);
          Date.now = () => realNow() + skew;
          // Before any reply the store takes the clocks to agree (see the README): with this
          // clock ahead, the first deadline lands late in Redis's clock and the call counts;
          // with it behind, the first call expires (nothing counted), and teaches the offset.
          const first = store.consume('fixed-window', check(0), 1, undefined, Date.now() + 5_000);
          if (skew > 0) expect((await first).allowed).toBe(true);
          else await expect(first).rejects.toMatchObject({ name: 'RedisDeadlineError' });
          // From then on a deadline in this machine's clock means the same instant in Redis's.
          const counted = skew > 0 ? 1 : 0;
          for (const [checks, cost] of [
            [check(0), 1],
            [check(0), 2],
            [check(10_000), 1],
          ] as const) {
            await expect(store.consume('fixed-window', checks, cost, undefined, Date.now() - 1)).rejects.toMatchObject({
              name: 'RedisDeadlineError',
            });
            expect((await store.consume('fixed-window', checks, 0, undefined, Date.now() + 1_000)).allowed).toBe(true);
          }
          expect((await store.peek('fixed-window', check(0), 0)).outcomes[0]?.remaining).toBe(5 - counted);
          expect((await store.consume('fixed-window', check(0), 1, undefined, Date.now() + 1_000)).allowed).toBe(true);
          Date.now = realNow;
        }
      } finally {
        Date.now = realNow;
      }
    });
  });
});

describeWithService('redis-server', redisUp, 'a stalled Redis (a server of the test’s own)', () => {
  let server: RedisProcess;
  let client: Redis;
  let pauser: Redis;
  beforeAll(async () => {
    server = await startRedisServer(STALL_PORT);
    client = new Redis({ host: '127.0.0.1', port: STALL_PORT, enableOfflineQueue: false, maxRetriesPerRequest: 0 });
    pauser = new Redis({ host: '127.0.0.1', port: STALL_PORT });
    client.on('error', () => {});
    await new Promise((resolve) => client.once('ready', resolve));
    await pauser.ping();
  }, 30_000);
  afterAll(async () => {
    client?.disconnect();
    pauser?.disconnect();
    await server?.stop();
  });

  it('requests answered by the fallback during a stall add nothing to the Redis count when it resumes', async () => {
    const report = await runStallScenario({
      client,
      pause: async (ms) => {
        await pauser.client('PAUSE', ms, 'ALL');
      },
    });
    expectNothingCountedLate(report);
  }, 30_000);
});
