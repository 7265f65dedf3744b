import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import {
  describeWithService,
  portOpen,
  type RedisCluster,
  runKeyringStoreConformance,
  startRedisCluster,
} from '@bulwark/testkit';
import { keyring } from '@bulwark/tokens';
import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYRING_CREATE_SCRIPT, KEYRING_LOAD_SCRIPT } from './lua.js';
import { redisKeyringStore } from './store.js';

const run = promisify(execFile);
const REDIS_PORT = 6379;
const CLUSTER_BASE = 30721;
const redisUp = await portOpen('127.0.0.1', REDIS_PORT);
const T0 = Date.UTC(2030, 0, 1);
const DAY = 86_400_000;
const MINUTE = 60_000;
let sequence = 0;
const fresh = () => `test-${process.pid}-${Date.now()}-${++sequence}`;

describe('keyring lua scripts', () => {
  it('keeps each script SHA pinned (a change to a script is a deliberate act)', () => {
    const sha = (text: string) => createHash('sha1').update(text).digest('hex');
    expect(sha(KEYRING_LOAD_SCRIPT)).toMatchInlineSnapshot(`"adf05e10773e7fc61d9a1fb2643cca1a5b73f611"`);
    expect(sha(KEYRING_CREATE_SCRIPT)).toMatchInlineSnapshot(`"dc7d2909fc5fdfc1a36e9b024146b3913732b365"`);
  });

  it('refuses a client that is no ioredis client and malformed options', () => {
    expect(() => redisKeyringStore({} as Redis)).toThrow(expect.objectContaining({ option: 'client' }));
    const client = new Redis({ lazyConnect: true });
    expect(() => redisKeyringStore(client, { name: 'a}b' })).toThrow(expect.objectContaining({ option: 'name' }));
    expect(() => redisKeyringStore(client, { prefix: 'a{b' })).toThrow(expect.objectContaining({ option: 'prefix' }));
    client.disconnect();
  });
});

interface RaceOutput {
  readonly signing: string[];
  readonly published: string[];
  readonly created: number;
}

function runWorker(mode: string, ports: readonly number[], name: string, now: number): Promise<RaceOutput> {
  const tsx = resolve(import.meta.dirname, '../../../../node_modules/.bin/tsx');
  const worker = resolve(import.meta.dirname, 'race-worker.ts');
  return run(tsx, [worker, mode, ports.join(','), name, String(now), '8'], { timeout: 60_000 }).then(
    ({ stdout }) => JSON.parse(stdout.trim()) as RaceOutput,
  );
}

/** Two Node processes, 8 keyrings each, at the first key, the successor's publication and its activation. */
async function expectTwoProcessesAgree(mode: string, ports: readonly number[], client: Redis | Cluster): Promise<void> {
  const name = fresh();
  const both = (now: number) => Promise.all([0, 1].map(() => runWorker(mode, ports, name, now)));
  const first = await both(T0);
  expect(first[0]?.signing).toHaveLength(1);
  expect(first[1]?.signing).toEqual(first[0]?.signing);
  expect(first.map((o) => o.created).reduce((a, b) => a + b)).toBe(1);

  const publish = await both(T0 + 30 * DAY - 10 * MINUTE);
  expect(publish[0]?.published).toHaveLength(1);
  expect(publish[1]?.published).toEqual(publish[0]?.published);
  expect(publish[0]?.published[0]?.split(' ')).toHaveLength(2);
  expect(publish[0]?.signing).toEqual(first[0]?.signing);
  expect(publish.map((o) => o.created).reduce((a, b) => a + b)).toBe(1);

  const active = await both(T0 + 30 * DAY);
  expect(active[1]?.signing).toEqual(active[0]?.signing);
  expect(active[0]?.signing[0]).toBe(publish[0]?.published[0]?.split(' ')[1]);
  expect(active.map((o) => o.created).reduce((a, b) => a + b)).toBe(0);
  const stored = await redisKeyringStore(client, { name }).load(T0 + 30 * DAY);
  expect(stored.records.map((r) => r.generation)).toEqual([1, 2]);
}

describeWithService('Redis on 127.0.0.1:6379', redisUp, 'redis keyring store (standalone)', () => {
  let client: Redis;
  let strings: Redis;
  beforeAll(() => {
    client = new Redis({ host: '127.0.0.1', port: REDIS_PORT });
    strings = new Redis({ host: '127.0.0.1', port: REDIS_PORT, stringNumbers: true });
  });
  afterAll(async () => {
    await client.quit();
    await strings.quit();
  });

  runKeyringStoreConformance('redis standalone', () => redisKeyringStore(client, { name: fresh() }));
  runKeyringStoreConformance('redis standalone, stringNumbers', () => redisKeyringStore(strings, { name: fresh() }));

  it('keeps a keyring in one hash under its hash tag, with no TTL and no key material in the clear', async () => {
    const name = fresh();
    const prefix = 'bulwark:test-keyring';
    const keys = keyring({
      store: redisKeyringStore(client, { prefix, name }),
      keyEncryptionKey: new Uint8Array(32).fill(1),
      algorithm: 'HS256',
    });
    await keys.signingKey();
    const key = `${prefix}:{${name}}`;
    expect(await client.keys(`${prefix}:{${name}}*`)).toEqual([key]);
    expect(await client.pttl(key)).toBe(-1);
    const fields = await client.hgetall(key);
    expect(Object.keys(fields).sort()).toEqual(['g:1', 'head']);
    expect(fields['g:1']).toMatch(/^\d+ \d+ [A-Za-z0-9_-]{22} HS256 v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(fields['g:1']).not.toContain('"k"');
    await client.del(key);
  });

  it('survives SCRIPT FLUSH (NOSCRIPT falls back to EVAL) without creating twice', async () => {
    const store = redisKeyringStore(client, { name: fresh() });
    const record = { generation: 1, kid: 'k1', alg: 'ES256' as const, sealed: 'v1.a.b' };
    expect((await store.create(record, { activateAfter: 0, dropBelow: 1 })).created).toBe(true);
    await client.script('FLUSH');
    const again = await store.create({ ...record, kid: 'k2' }, { activateAfter: 0, dropBelow: 1 });
    expect(again.created).toBe(false);
    expect(again.records.map((r) => r.kid)).toEqual(['k1']);
    await client.script('FLUSH');
    expect((await store.load()).records).toHaveLength(1);
  });

  it("takes time from Redis TIME, not this machine's clock", async () => {
    const store = redisKeyringStore(client, { name: fresh() });
    const realNow = Date.now;
    Date.now = () => realNow() + 20 * DAY;
    try {
      const [seconds] = (await client.time()) as unknown as [string, string];
      const result = await store.create(
        { generation: 1, kid: 'k', alg: 'EdDSA', sealed: 'v1.a.b' },
        { activateAfter: 0, dropBelow: 1 },
      );
      expect(Math.abs((result.records[0]?.createdAt as number) - Number(seconds) * 1000)).toBeLessThan(5000);
    } finally {
      Date.now = realNow;
    }
  });

  it('refuses a record field that would not survive the layout', async () => {
    const store = redisKeyringStore(client, { name: fresh() });
    const bad = { generation: 1, kid: 'a b', alg: 'ES256' as const, sealed: 'v1.a.b' };
    await expect(store.create(bad, { activateAfter: 0, dropBelow: 1 })).rejects.toMatchObject({
      code: 'invalid_argument',
    });
  });

  it('two Node processes on one keyring agree on every key; exactly one creates each', async () => {
    await expectTwoProcessesAgree('standalone', [REDIS_PORT], client);
  }, 60_000);
});

describeWithService('redis-server and redis-cli', redisUp, 'redis keyring store (3-node Cluster)', () => {
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

  runKeyringStoreConformance('redis cluster', () => redisKeyringStore(client, { name: fresh() }));

  it('two Node processes on one keyring through the Cluster agree on every key; exactly one creates each', async () => {
    await expectTwoProcessesAgree(
      'cluster',
      cluster.nodes.map((n) => n.port),
      client,
    );
  }, 60_000);
});
