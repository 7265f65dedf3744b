import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { requestView, type SecurityEvent } from '@bulwark/core';
import { ALGORITHMS, type Algorithm, type LimitCheck, memoryStore, rateLimitPolicy } from '@bulwark/ratelimit';
import {
  describeWithService,
  portOpen,
  type RedisCluster,
  runRateLimitStoreConformance,
  startRedisCluster,
  startRedisServer,
} from '@bulwark/testkit';
import fc from 'fast-check';
import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unpackCompact } from './compact-reply.js';
import { CHECK_SCRIPTS, FIXED_WINDOW_REFUND_SCRIPT, REFUND_SCRIPT, RESET_SCRIPT } from './lua.js';
import { redisRateLimitStore } from './store.js';
import { expectNothingCountedLate, runStallScenario } from './testing/stall.js';

const run = promisify(execFile);
const REDIS_PORT = 6379;
const CLUSTER_BASE = 30701;
const FAULT_PORT = 30711;
const redisUp = await portOpen('127.0.0.1', REDIS_PORT);
const T0 = Date.UTC(2030, 0, 1);

const standalone = () => new Redis({ host: '127.0.0.1', port: REDIS_PORT, lazyConnect: false });

describe('lua scripts', () => {
  it('keeps each script SHA pinned (a change to a script is a deliberate act)', () => {
    const sha = (text: string) => createHash('sha1').update(text).digest('hex');
    expect(Object.fromEntries(ALGORITHMS.map((a) => [a, sha(CHECK_SCRIPTS[a])]))).toMatchInlineSnapshot(`
      {
        "fixed-window": "136bb9415e9f3ff1d65d01a58088a58bbd2c7c7d",
        "gcra": "8bfd2e2e6ffb9c10745f6389e068cf6b34a78fb4",
        "sliding-window": "af4414858bfb1b5522beba1d4f49008ade9d6365",
        "token-bucket": "8514842405d2eb3555f1e72b2c8d7206b6f0c630",
      }
    `);
    expect(sha(REFUND_SCRIPT)).toMatchInlineSnapshot(`"e1ace4741259c0320afd57ca703d2016d3d09892"`);
    expect(sha(FIXED_WINDOW_REFUND_SCRIPT)).toMatchInlineSnapshot(`"0444990293c8e2363eff6e1533916add18d52506"`);
    expect(sha(RESET_SCRIPT)).toMatchInlineSnapshot(`"04fd8db82d49b45d6094f5387040b8065a0fddb5"`);
  });
});

describeWithService('Redis on 127.0.0.1:6379', redisUp, 'redis store (standalone)', () => {
  runRateLimitStoreConformance('redis standalone', async () => {
    const client = standalone();
    return { store: redisRateLimitStore(client), close: async () => void (await client.quit()) };
  });

  // ioredis's `stringNumbers` answers integers as strings: a client created with it must
  // count and report the same.
  runRateLimitStoreConformance('redis standalone, stringNumbers', async () => {
    const client = new Redis({ host: '127.0.0.1', port: REDIS_PORT, stringNumbers: true });
    return { store: redisRateLimitStore(client), close: async () => void (await client.quit()) };
  });

  let client: Redis;
  beforeAll(() => {
    client = standalone();
  });
  afterAll(async () => {
    await client.quit();
  });

  it.each(ALGORITHMS)('%s: gives every key a TTL, counters and blocks alike', async (algorithm) => {
    const prefix = `bulwark:test-ttl-${algorithm}-${Date.now()}`;
    const store = redisRateLimitStore(client, { prefix });
    const check = [{ scope: 'p', key: 'ttl', limit: 1, windowMs: 60_000, blockMs: 120_000 }];
    await store.consume(algorithm, check, 1);
    await store.consume(algorithm, check, 1);
    const keys = await client.keys(`${prefix}:*`);
    expect(keys).toHaveLength(1);
    for (const k of keys) expect(await client.pttl(k), k).toBeGreaterThan(60_000);
  });

  it('fixed window: one hash per limit holds only the current window (and a block)', async () => {
    const prefix = `bulwark:test-layout-${Date.now()}`;
    const store = redisRateLimitStore(client, { prefix });
    const check = [{ scope: 'p', key: 'layout', limit: 1, windowMs: 60_000, blockMs: 1_000 }];
    for (let w = 0; w < 4; w++) await store.consume('fixed-window', check, 1, T0 + w * 60_000);
    await store.consume('fixed-window', check, 1, T0 + 3 * 60_000 + 1);
    const [key] = await client.keys(`${prefix}:*`);
    expect(await client.type(key as string)).toBe('hash');
    expect((await client.hkeys(key as string)).sort()).toEqual([String(T0 + 3 * 60_000), 'b']);
  });

  it('a policy whose algorithm changes starts fresh keys; reset forgets every layout', async () => {
    const prefix = `bulwark:test-switch-${Date.now()}`;
    const store = redisRateLimitStore(client, { prefix });
    const check = [{ scope: 'p', key: 'switch', limit: 1, windowMs: 60_000, blockMs: 0 }];
    for (const algorithm of ALGORITHMS) expect((await store.consume(algorithm, check, 1, T0)).allowed).toBe(true);
    expect(await client.keys(`${prefix}:*`)).toHaveLength(ALGORITHMS.length);
    await store.reset([{ scope: 'p', key: 'switch' }]);
    expect(await client.keys(`${prefix}:*`)).toHaveLength(0);
  });

  it("refunds keep the key's TTL", async () => {
    const store = redisRateLimitStore(client, { prefix: 'bulwark:test-refund' });
    const check = [{ scope: 'r', key: `${Date.now()}`, limit: 5, windowMs: 600_000, blockMs: 0 }];
    await store.consume('fixed-window', check, 3);
    const [key] = await client.keys(`bulwark:test-refund:*${check[0]?.key}`);
    const before = await client.pttl(key as string);
    await store.refund('fixed-window', check, 10);
    const after = await client.pttl(key as string);
    expect(after).toBeGreaterThan(0);
    expect(after).toBeLessThanOrEqual(before);
    expect((await store.peek('fixed-window', check, 1)).outcomes[0]?.remaining).toBe(4);
  });

  it('survives SCRIPT FLUSH (NOSCRIPT falls back to EVAL) without counting twice', async () => {
    const store = redisRateLimitStore(client);
    const check = [{ scope: 'flush', key: `${Date.now()}`, limit: 10, windowMs: 600_000, blockMs: 0 }];
    await store.consume('fixed-window', check, 1, T0);
    await client.script('FLUSH');
    const after = await store.consume('fixed-window', check, 1, T0);
    expect(after.outcomes[0]?.remaining).toBe(8);
  });

  it('reads time from Redis TIME when no time is given', async () => {
    const store = redisRateLimitStore(client);
    const [seconds] = (await client.time()) as unknown as [string, string];
    const result = await store.consume(
      'fixed-window',
      [{ scope: 'time', key: `${Date.now()}`, limit: 1, windowMs: 1000, blockMs: 0 }],
      1,
    );
    expect(Math.abs(result.now - Number(seconds) * 1000)).toBeLessThan(5000);
  });

  it('the compact fixed-window call (one limit, cost 1, no block, Redis time) counts like the full one', async () => {
    redisRateLimitStore(client); // defines the commands
    const script = (client as unknown as Record<string, (...args: Array<string | number>) => Promise<unknown>>)
      .bulwarkRateLimitFixedWindow as (...args: Array<string | number>) => Promise<unknown>;
    const run = Date.now();
    const compact = `bulwark:test-compact:{t}:a:${run}`;
    const full = `bulwark:test-compact:{t}:b:${run}`;
    for (let i = 0; i < 5; i++) {
      // The compact call answers one integer (see lua.ts); the full call answers [now, count].
      const a = unpackCompact((await script.call(client, 1, compact, 3, 3_600_000)) as number);
      const b = (await script.call(client, 1, full, 1, 3, 3_600_000, 0)) as number[];
      expect(a.slice(1)).toEqual(b.slice(1));
      expect(a.slice(1)).toEqual([Math.min(i, 3)]);
      expect(Math.abs((a[0] as number) - (b[0] as number))).toBeLessThan(1000);
    }
    expect(await client.hgetall(compact)).toEqual(await client.hgetall(full));
    expect(await client.pttl(compact)).toBeGreaterThan(0);
    // The store sends the compact call for such a check: same answers through the port.
    const store = redisRateLimitStore(client, { prefix: 'bulwark:test-compact-store' });
    const check = [{ scope: 'c', key: `${run}`, limit: 2, windowMs: 3_600_000, blockMs: 0 }];
    const allowed = [];
    for (let i = 0; i < 3; i++) allowed.push((await store.consume('fixed-window', check, 1)).allowed);
    expect(allowed).toEqual([true, true, false]);
  });

  it('the compact call answers a table once a count no longer fits beside now (2^21 and up)', async () => {
    const store = redisRateLimitStore(client, { prefix: 'bulwark:test-compact-big' });
    const windowMs = 3_600_000;
    // The largest limit a policy allows, so the call is compact; such counts are refused.
    const check = [{ scope: 'c', key: `${Date.now()}`, limit: 1_000_000, windowMs, blockMs: 0 }];
    const key = `bulwark:test-compact-big:fw:{c}:c:${check[0]?.key}`;
    const [seconds] = (await client.time()) as unknown as [string, string];
    const nowMs = Number(seconds) * 1000;
    const start = nowMs - (nowMs % windowMs);
    for (const count of [2 ** 21 + 4, 2 ** 21 - 2]) {
      // This window and the next (in case the hour turns between the two calls). Just below
      // the edge, the same count travels packed and reads the same.
      await client.hset(key, String(start), count, String(start + windowMs), count);
      await client.pexpire(key, 3 * windowMs);
      const result = await store.consume('fixed-window', check, 1);
      expect(result.allowed).toBe(false);
      expect(result.outcomes[0]?.remaining).toBe(0);
      expect(Math.abs(result.now - nowMs)).toBeLessThan(5000);
      // Refused: the count was taken back.
      expect(Object.values(await client.hgetall(key)).map(Number)).toEqual([count, count]);
    }
    await client.del(key);
  });

  it("reports Redis time through the compact call even when this machine's clock is days off", async () => {
    const store = redisRateLimitStore(client, { prefix: 'bulwark:test-compact-skew' });
    const check = [{ scope: 'c', key: `${Date.now()}`, limit: 10, windowMs: 60_000, blockMs: 0 }];
    const realNow = Date.now;
    for (const skew of [-20 * 86_400_000, 20 * 86_400_000]) {
      const [seconds] = (await client.time()) as unknown as [string, string];
      Date.now = () => realNow() + skew;
      try {
        const result = await store.consume('fixed-window', check, 1);
        expect(Math.abs(result.now - Number(seconds) * 1000)).toBeLessThan(5000);
      } finally {
        Date.now = realNow;
      }
    }
  });

  it('gives the same decisions as the memory store on generated sequences (property)', async () => {
    const redis = redisRateLimitStore(client);
    let run = 0;
    // IPv4 client keys (the memory store indexes them by number) start at a random address,
    // so a Redis that kept an earlier run's keys holds none of these.
    const ipv4Base = Math.floor(Math.random() * 2 ** 32);
    const ipv4Keys: string[] = [];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<Algorithm>(...ALGORITHMS),
        fc.integer({ min: 1, max: 6 }),
        fc.constantFrom(60_000, 90_000, 120_000),
        fc.integer({ min: 0, max: 60_000 }),
        fc.array(
          fc.record({
            dt: fc.integer({ min: 0, max: 40_000 }),
            cost: fc.integer({ min: 0, max: 4 }),
            second: fc.boolean(),
            refund: fc.boolean(),
          }),
          {
            minLength: 1,
            maxLength: 25,
          },
        ),
        fc.boolean(),
        async (algorithm, limit, windowMs, blockMs, ops, ipv4Key) => {
          const memory = memoryStore();
          // One client key under two limits: the stores must keep them apart by scope. An
          // IPv4 key comes with its number, as a policy passes it.
          let key = `${process.pid}:${Date.now()}:${++run}`;
          let ipv4: number | undefined;
          if (ipv4Key) {
            ipv4 = (ipv4Base + run) >>> 0;
            key = [ipv4 >>> 24, (ipv4 >>> 16) & 255, (ipv4 >>> 8) & 255, ipv4 & 255].join('.');
            ipv4Keys.push(key);
          }
          const a = { scope: 'diff:a', key, ipv4, limit, windowMs, blockMs };
          const b = { scope: 'diff:b', key, ipv4, limit: limit + 2, windowMs, blockMs: 0 };
          let now = T0 + 7;
          for (const op of ops) {
            now += op.dt;
            const checks = op.second ? [a, b] : [a];
            if (op.refund) {
              memory.refund(algorithm, checks, op.cost, now);
              await redis.refund(algorithm, checks, op.cost, now);
            }
            const expected = memory.consume(algorithm, checks, op.cost, now);
            const actual = await redis.consume(algorithm, checks, op.cost, now);
            expect(actual).toEqual(expected);
            // Synthetic time does not move Redis's clock: a TTL of a few ms would expire in
            // real time between two steps taken at the same synthetic instant. Keep the
            // keys; expiry never changes a decision (an expired state equals no state), the
            // memory store still expires in synthetic time, so both paths stay covered.
            const segment = { 'fixed-window': 'fw', 'sliding-window': 'sw', 'token-bucket': 'tb', gcra: 'gcra' }[
              algorithm
            ];
            await Promise.all([
              client.persist(`bulwark:rl:${segment}:{diff}:${a.scope}:${key}`),
              client.persist(`bulwark:rl:${segment}:{diff}:${b.scope}:${key}`),
            ]);
          }
        },
      ),
      { numRuns: 150 },
    );
    // The keys were made persistent above: delete this run's, so runs do not pile up.
    const persisted: string[] = [];
    for await (const batch of client.scanStream({ match: `bulwark:rl:*:{diff}:diff:?:${process.pid}:*`, count: 500 }))
      persisted.push(...(batch as string[]));
    for (const key of ipv4Keys)
      for (const segment of ['fw', 'sw', 'tb', 'gcra'])
        persisted.push(`bulwark:rl:${segment}:{diff}:diff:a:${key}`, `bulwark:rl:${segment}:{diff}:diff:b:${key}`);
    if (persisted.length > 0) await client.del(...persisted);
  });

  it('two Node processes racing on one key admit exactly the limit', async () => {
    const key = `race2:${Date.now()}`;
    const outputs = await Promise.all([0, 1].map(() => runWorker('standalone', [REDIS_PORT], key, 150, 200)));
    expect(outputs.reduce((sum, n) => sum + n, 0)).toBe(150);
  });
});

function runWorker(mode: string, ports: number[], key: string, limit: number, count: number): Promise<number> {
  const tsx = resolve(import.meta.dirname, '../../../node_modules/.bin/tsx');
  const worker = resolve(import.meta.dirname, 'testing/race-worker.ts');
  return run(tsx, [worker, mode, ports.join(','), key, String(limit), String(count), String(T0)], {
    timeout: 60_000,
  }).then(({ stdout }) => JSON.parse(stdout.trim()).admitted as number);
}

describeWithService('redis-server and redis-cli', redisUp, 'redis store (3-node Cluster)', () => {
  let cluster: RedisCluster;
  let client: Cluster;
  beforeAll(async () => {
    cluster = await startRedisCluster(CLUSTER_BASE);
    client = new Cluster(cluster.nodes.map((n) => ({ host: n.host, port: n.port })));
  }, 60_000);
  afterAll(async () => {
    await client?.quit();
    await cluster?.stop();
  });

  runRateLimitStoreConformance('redis cluster', async () => {
    const own = new Cluster([{ host: '127.0.0.1', port: CLUSTER_BASE }]);
    return { store: redisRateLimitStore(own), close: async () => void (await own.quit()) };
  });

  it('keeps every key of one check in one slot (several limits, one script call)', async () => {
    const store = redisRateLimitStore(client);
    const checks = ['ip', 'user', 'route'].map((name) => ({
      scope: `api:${name}`,
      key: `${Date.now()}`,
      limit: 5,
      windowMs: 60_000,
      blockMs: 0,
    }));
    const result = await store.consume('sliding-window', checks, 1, T0);
    expect(result.allowed).toBe(true);
  });

  it('hashTag by client key: one check of one key works; keys with different tags are refused', async () => {
    const store = redisRateLimitStore(client, { prefix: 'bulwark:test-tag', hashTag: ({ key }) => key });
    const ip = `198.51.100.${Date.now() % 200}`;
    const both = ['anon', 'reports'].map((name) => ({
      scope: `p:${name}`,
      key: ip,
      limit: 2,
      windowMs: 60_000,
      blockMs: 0,
    }));
    expect((await store.consume('fixed-window', both, 1, T0)).allowed).toBe(true);
    // Both keys carry the client key as their tag (KEYS would ask one node only: EXISTS is routed).
    for (const name of ['anon', 'reports'])
      expect(await client.exists(`bulwark:test-tag:fw:{${ip}}:p:${name}:${ip}`), name).toBe(1);
    const mixed = [both[0], { ...both[1], key: 'someone-else' }] as LimitCheck[];
    await expect(store.consume('fixed-window', mixed, 1, T0)).rejects.toMatchObject({
      code: 'config_invalid',
      option: 'hashTag',
    });
  });

  it('a policy whose limits all count the client spreads over the Cluster by client', async () => {
    const name = `spread${Date.now() % 100_000}`;
    const limiter = rateLimitPolicy({
      name,
      store: redisRateLimitStore(client, { prefix: 'bulwark:test-spread' }),
      limits: [
        { name: 'anon', limit: 10, window: '60s' },
        { name: 'reports', limit: 2, window: '60s', paths: ['/v2/reports'] },
      ],
    });
    // Two clients whose tags hash to different slots, so different nodes may hold them.
    const ips = ['198.51.100.1', '198.51.100.2'];
    const slots = await Promise.all(ips.map((ip) => client.cluster('KEYSLOT', `{${ip}}`) as Promise<number>));
    expect(slots[0]).not.toBe(slots[1]);
    for (const ip of ips) {
      const report = requestView({ method: 'POST', path: '/v2/reports', clientIp: ip });
      expect((await limiter.evaluate(report)).kind).toBe('allow');
      const keys = ['anon', 'reports'].map((limit) => `bulwark:test-spread:fw:{${ip}}:${name}:${limit}:${ip}`);
      for (const key of keys) expect(await client.exists(key), key).toBe(1);
      // reset finds them under the same tags.
      await limiter.reset(report);
      for (const key of keys) expect(await client.exists(key), key).toBe(0);
    }
  });

  it('requests answered by the fallback while every node stalls add nothing when the Cluster resumes', async () => {
    const own = new Cluster(
      cluster.nodes.map((n) => ({ host: n.host, port: n.port })),
      { enableOfflineQueue: false },
    );
    own.on('error', () => {});
    const pausers = cluster.nodes.map((n) => new Redis({ host: n.host, port: n.port }));
    try {
      await new Promise((resolve) => own.once('ready', resolve));
      const report = await runStallScenario({
        client: own,
        pause: async (ms) => {
          await Promise.all(pausers.map((pauser) => pauser.client('PAUSE', ms, 'ALL')));
        },
      });
      expectNothingCountedLate(report);
    } finally {
      own.disconnect();
      for (const pauser of pausers) pauser.disconnect();
    }
  }, 30_000);

  it('two Node processes racing on one key through the Cluster admit exactly the limit', async () => {
    const key = `crace:${Date.now()}`;
    const ports = cluster.nodes.map((n) => n.port);
    const outputs = await Promise.all([0, 1].map(() => runWorker('cluster', ports, key, 120, 200)));
    expect(outputs.reduce((sum, n) => sum + n, 0)).toBe(120);
  });
});

describeWithService('redis-server', redisUp, 'redis store failures (a Redis of the test’s own)', () => {
  const view = requestView({ method: 'GET', path: '/v2/x', clientIp: '203.0.113.7' });

  it('holds the failure policy while Redis is down and recovers when it returns', async () => {
    let server = await startRedisServer(FAULT_PORT);
    // enableOfflineQueue false: a command sent while disconnected fails at once instead of
    // running later, after its request was already answered.
    const client = new Redis({
      host: '127.0.0.1',
      port: FAULT_PORT,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
    });
    client.on('error', () => {});
    await new Promise((r) => client.once('ready', r));
    const events: SecurityEvent[] = [];
    const make = (mode: 'fail-open' | 'fail-closed' | 'fallback') =>
      rateLimitPolicy({
        name: `fault-${mode}`,
        limits: [{ name: 'anon', limit: 2, window: '1m' }],
        store: redisRateLimitStore(client),
        failure: { mode, timeout: 300 },
        onEvent: (e) => events.push(e),
      });
    const closed = make('fail-closed');
    const open = make('fail-open');
    const fallback = make('fallback');
    try {
      expect((await closed.evaluate(view)).kind).toBe('allow');
      await server.stop();
      const refused = await closed.evaluate(view);
      expect(refused.kind === 'deny' && refused.status).toBe(503);
      expect((await open.evaluate(view)).kind).toBe('allow');
      const local = await Promise.all([1, 2, 3].map(() => fallback.evaluate(view)));
      expect(local.map((d) => d.kind)).toEqual(['allow', 'allow', 'deny']);
      expect(events.some((e) => e.type === 'ratelimit.store_failure')).toBe(true);
      expect(events.some((e) => e.type === 'ratelimit.fallback')).toBe(true);

      server = await startRedisServer(FAULT_PORT);
      // The restarted Redis kept nothing on disk: counting starts over, and limits hold again.
      await waitUntil(async () => (await closed.evaluate(view)).kind === 'allow');
      expect((await closed.evaluate(view)).kind).toBe('allow');
      const third = await closed.evaluate(view);
      expect(third.kind === 'deny' && third.status).toBe(429);
    } finally {
      client.disconnect();
      await server.stop();
    }
  }, 60_000);
});

async function waitUntil(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('condition never became true');
}
