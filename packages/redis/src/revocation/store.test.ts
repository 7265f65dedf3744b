import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import type { SecurityEvent } from '@bulwark/core';
import {
  describeWithService,
  portOpen,
  type RedisCluster,
  type RedisProcess,
  type RevocationStoreSubject,
  runRevocationStoreConformance,
  startRedisCluster,
  startRedisServer,
} from '@bulwark/testkit';
import type { RevocationTarget } from '@bulwark/tokens';
import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEARTBEAT_SCRIPT, REVOKE_SCRIPT, SNAPSHOT_SCRIPT } from './lua.js';
import { redisRevocationStore } from './store.js';

const run = promisify(execFile);
const REDIS_PORT = 6379;
/** Other suites use 30701-30703, 30711, 30712 and 30721-30723. */
const CLUSTER_BASE = 30731;
const UNREACHABLE_PORT = 30735;
const MAX_STALENESS = 500;
const HOUR = 3_600_000;
const redisUp = await portOpen('127.0.0.1', REDIS_PORT);
let sequence = 0;
const freshPrefix = () => `bulwark:test-revocation:${process.pid}-${Date.now()}-${++sequence}`;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Deployment {
  readonly mode: 'standalone' | 'cluster';
  readonly ports: readonly number[];
  /** A client whose connections carry `name` (CLIENT LIST finds them). */
  connect(name: string): Redis | Cluster;
}

const standalone = (port = REDIS_PORT): Deployment => ({
  mode: 'standalone',
  ports: [port],
  connect: (name) => new Redis({ host: '127.0.0.1', port, connectionName: name }),
});

function runWorker(deployment: Deployment, keyPrefix: string, targets: readonly RevocationTarget[]): Promise<number> {
  const tsx = resolve(import.meta.dirname, '../../../../node_modules/.bin/tsx');
  const worker = resolve(import.meta.dirname, 'revoke-worker.ts');
  return run(tsx, [worker, deployment.mode, deployment.ports.join(','), keyPrefix, JSON.stringify(targets)], {
    timeout: 60_000,
  }).then(({ stdout }) => (JSON.parse(stdout.trim()) as { revokedAt: number }).revokedAt);
}

/** Kills every pub/sub connection named `name`, on every node. */
async function killSubscribers(deployment: Deployment, name: string): Promise<number> {
  let killed = 0;
  for (const port of deployment.ports) {
    const admin = new Redis({ host: '127.0.0.1', port });
    try {
      const list = (await admin.call('CLIENT', 'LIST', 'TYPE', 'pubsub')) as string;
      for (const line of list.split('\n')) {
        // A Cluster's subscriber is named `ioredis-cluster(subscriber):<name>`.
        if (!line.includes(` name=${name} `) && !line.includes(`(subscriber):${name} `)) continue;
        const id = /(?:^|\s)id=(\d+)/.exec(line)?.[1];
        if (id !== undefined) killed += Number(await admin.call('CLIENT', 'KILL', 'ID', id));
      }
    } finally {
      await admin.quit();
    }
  }
  return killed;
}

async function subjectOf(deployment: Deployment, keyPrefix: string): Promise<RevocationStoreSubject> {
  const name = `revocation-test-${process.pid}-${++sequence}`;
  const client = deployment.connect(name);
  const subscriber = deployment.connect(name);
  const events: SecurityEvent[] = [];
  const store = redisRevocationStore({
    client,
    subscriber,
    keyPrefix,
    maxStaleness: MAX_STALENESS,
    onEvent: (e) => events.push(e),
  });
  return {
    store,
    events,
    close: async () => {
      await store.close();
      await Promise.all([subscriber.quit(), client.quit()]);
    },
    peer: () => subjectOf(deployment, keyPrefix),
    revokeFromOtherProcess: (targets) => runWorker(deployment, keyPrefix, targets),
    silenceChannel: async () => {
      await subscriber.unsubscribe();
    },
    killChannel: async () => {
      expect(await killSubscribers(deployment, name)).toBeGreaterThan(0);
    },
  };
}

/** Answers once the store answers synchronously. */
async function untilSynchronous(store: { isRevoked: (j: string, s: undefined, n: number) => unknown }) {
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    const answer = store.isRevoked('probe', undefined, Date.now());
    if (typeof answer === 'boolean') return;
    await answer;
    await pause(20);
  }
  throw new Error('never synchronous');
}

describe('revocation lua scripts', () => {
  it('keeps each script SHA pinned (a change to a script is a deliberate act)', () => {
    const sha = (text: string) => createHash('sha1').update(text).digest('hex');
    expect({
      revoke: sha(REVOKE_SCRIPT),
      snapshot: sha(SNAPSHOT_SCRIPT),
      heartbeat: sha(HEARTBEAT_SCRIPT),
    }).toMatchInlineSnapshot(`
      {
        "heartbeat": "a3e23883c6978bbc61df82913475c033fabf0208",
        "revoke": "14115d71e56723556f45d3f1cdeebc42620c0180",
        "snapshot": "bd3e3501589c8acb90f20eaa8d964a502bccbc2c",
      }
    `);
  });

  it('refuses malformed options, naming each', () => {
    const client = new Redis({ lazyConnect: true });
    const build = (extra: Record<string, unknown>) => () => redisRevocationStore({ client, ...extra });
    expect(build({ client: {} })).toThrow(expect.objectContaining({ option: 'client' }));
    expect(build({ subscriber: client })).toThrow(expect.objectContaining({ option: 'subscriber' }));
    expect(build({ subscriber: 'redis://x' })).toThrow(expect.objectContaining({ option: 'subscriber' }));
    expect(build({ keyPrefix: 'a{b}' })).toThrow(expect.objectContaining({ option: 'keyPrefix' }));
    expect(build({ keyPrefix: '' })).toThrow(expect.objectContaining({ option: 'keyPrefix' }));
    expect(build({ maxStaleness: '10ms' })).toThrow(expect.objectContaining({ option: 'maxStaleness' }));
    expect(build({ maxStaleness: '2m' })).toThrow(expect.objectContaining({ option: 'maxStaleness' }));
    expect(build({ maxStaleness: 'soon' })).toThrow(expect.objectContaining({ option: 'maxStaleness' }));
    expect(build({ timeout: 0 })).toThrow(expect.objectContaining({ option: 'timeout' }));
    expect(build({ failurePolicy: 'ignore' })).toThrow(expect.objectContaining({ option: 'failurePolicy' }));
    expect(build({ maxEntries: 0 })).toThrow(expect.objectContaining({ option: 'maxEntries' }));
    expect(build({ onEvent: 'log' })).toThrow(expect.objectContaining({ option: 'onEvent' }));
    expect(build({ maxStalenes: '1s' })).toThrow(expect.objectContaining({ option: 'maxStalenes' }));
    client.disconnect();
  });
});

describeWithService('Redis on 127.0.0.1:6379', redisUp, 'redis revocation store (standalone)', () => {
  const deployment = standalone();
  runRevocationStoreConformance('redis standalone', () => subjectOf(deployment, freshPrefix()), {
    maxStaleness: MAX_STALENESS,
    unreachable: async (failurePolicy) => {
      const server: RedisProcess = await startRedisServer(UNREACHABLE_PORT);
      const client = new Redis({ host: '127.0.0.1', port: UNREACHABLE_PORT }).on('error', () => {});
      const events: SecurityEvent[] = [];
      const store = redisRevocationStore({
        client,
        failurePolicy,
        keyPrefix: freshPrefix(),
        maxStaleness: MAX_STALENESS,
        timeout: '300ms',
        onEvent: (e) => events.push(e),
      });
      await untilSynchronous(store);
      await server.stop();
      return {
        store,
        events,
        close: async () => {
          await store.close();
          client.disconnect();
        },
      };
    },
  });

  let client: Redis;
  beforeAll(() => {
    client = new Redis({ host: '127.0.0.1', port: REDIS_PORT });
  });
  afterAll(async () => {
    await client.quit();
  });

  it('keeps each entry with a TTL of its remaining life, all keys under the prefix as hash tag', async () => {
    const keyPrefix = freshPrefix();
    const store = redisRevocationStore({ client, keyPrefix });
    try {
      const until = Date.now() + 60_000;
      await store.revoke({ kind: 'jti', id: 'j1', until });
      await store.revoke({ kind: 'sid', id: 's1', until: until + 60_000 });
      const tag = `{${keyPrefix}}`;
      expect((await client.keys(`${tag}*`)).sort()).toEqual([
        `${tag}:index`,
        `${tag}:j:j1`,
        `${tag}:s:s1`,
        `${tag}:seq`,
      ]);
      expect(await client.get(`${tag}:j:j1`)).toBe(String(until));
      const ttl = await client.pttl(`${tag}:j:j1`);
      expect(ttl).toBeGreaterThan(55_000);
      expect(ttl).toBeLessThanOrEqual(60_000);
      expect(await client.pttl(`${tag}:s:s1`)).toBeGreaterThan(115_000);
      // The index lives as long as its last entry; the counter has no TTL.
      expect(await client.pttl(`${tag}:index`)).toBeGreaterThan(115_000);
      expect(await client.pttl(`${tag}:seq`)).toBe(-1);
      expect(await client.get(`${tag}:seq`)).toBe('2');
      // An earlier until never shortens an entry.
      await store.revoke({ kind: 'jti', id: 'j1', until: Date.now() + 1000 });
      expect(await client.pttl(`${tag}:j:j1`)).toBeGreaterThan(50_000);
      await client.del(...(await client.keys(`${tag}*`)));
    } finally {
      await store.close();
    }
  });

  it('detects a skipped sequence number, falls back, and rebuilds its view', async () => {
    const keyPrefix = freshPrefix();
    const events: SecurityEvent[] = [];
    const store = redisRevocationStore({ client, keyPrefix, maxStaleness: '10s', onEvent: (e) => events.push(e) });
    try {
      await untilSynchronous(store);
      const tag = `{${keyPrefix}}`;
      // Revocation 3 is announced but 1 and 2 never were: two were lost, and the entry
      // of one of them is in Redis only.
      await client.set(`${tag}:seq`, '2');
      await client.zadd(`${tag}:index`, Date.now() + HOUR, 'jlost');
      await client.set(`${tag}:j:lost`, String(Date.now() + HOUR), 'PX', HOUR);
      await client.publish(`${tag}:events`, `r 3 j ${Date.now() + HOUR} announced`);
      const deadline = Date.now() + 2000;
      while (!events.some((e) => e.type === 'revocation.store_failure') && Date.now() < deadline) await pause(5);
      expect(events).toMatchObject([{ type: 'revocation.store_failure', reason: 'message_lost', mode: 'fallback' }]);
      await untilSynchronous(store);
      expect(store.isRevoked('lost', undefined, Date.now())).toBe(true);
      expect(store.isRevoked('announced', undefined, Date.now())).toBe(true);
      // A counter that went back (Redis flushed) is a loss too.
      await client.del(`${tag}:seq`);
      await client.publish(`${tag}:events`, `r 1 s ${Date.now() + HOUR} after-flush`);
      const again = Date.now() + 2000;
      while (events.length < 2 && Date.now() < again) await pause(5);
      expect(events[1]).toMatchObject({ reason: 'message_lost' });
      await client.del(...(await client.keys(`${tag}*`)));
    } finally {
      await store.close();
    }
  });

  it('bounds its local view: past maxEntries, misses ask Redis and answers stay right', async () => {
    const keyPrefix = freshPrefix();
    const events: SecurityEvent[] = [];
    const store = redisRevocationStore({ client, keyPrefix, maxEntries: 3, onEvent: (e) => events.push(e) });
    const other = redisRevocationStore({ client, keyPrefix });
    try {
      await untilSynchronous(store);
      const now = Date.now();
      const ids = ['a', 'b', 'c', 'd', 'e'];
      for (const id of ids) await other.revoke({ kind: 'jti', id, until: now + HOUR });
      const deadline = Date.now() + 2000;
      while (!events.some((e) => e.type === 'revocation.store_failure') && Date.now() < deadline) await pause(5);
      expect(events).toMatchObject([{ reason: 'local_view_full', mode: 'fallback' }]);
      const miss = store.isRevoked('bystander', undefined, now);
      expect(miss).toBeInstanceOf(Promise);
      expect(await miss).toBe(false);
      for (const id of ids) expect(await store.isRevoked(id, undefined, now)).toBe(true);
      // Once the entries expire (in Redis's time, here: deleted), a snapshot fits and answers are local again.
      await client.del(...(await client.keys(`{${keyPrefix}}*`)));
    } finally {
      await Promise.all([store.close(), other.close()]);
    }
  });

  it('emits one store_error per outage, not one per call', async () => {
    const server = await startRedisServer(UNREACHABLE_PORT);
    const down = new Redis({ host: '127.0.0.1', port: UNREACHABLE_PORT }).on('error', () => {});
    const events: SecurityEvent[] = [];
    const store = redisRevocationStore({ client: down, timeout: '200ms', onEvent: (e) => events.push(e) });
    try {
      await untilSynchronous(store);
      await server.stop();
      // The view vouches for up to maxStaleness after its last proof; then every answer asks.
      while (typeof store.isRevoked('probe', undefined, Date.now()) === 'boolean') await pause(10);
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) => store.isRevoked(`j${i}`, 's', Date.now())),
      );
      expect(answers).toEqual(answers.map(() => true));
      expect(events.filter((e) => e.type === 'revocation.store_failure' && e.reason === 'store_error')).toHaveLength(1);
      expect(events.find((e) => e.type === 'revocation.store_failure' && e.reason === 'store_error')).toMatchObject({
        mode: 'fail-closed',
      });
    } finally {
      await store.close();
      down.disconnect();
      await server.stop();
    }
  });

  it('close() quits the subscriber it made, and only unsubscribes one it was given', async () => {
    const keyPrefix = freshPrefix();
    const events = `{${keyPrefix}}:events`;
    const listeners = async () => Number(((await client.pubsub('NUMSUB', events)) as [string, number])[1]);
    const own = redisRevocationStore({ client, keyPrefix });
    await untilSynchronous(own);
    expect(await listeners()).toBe(1);
    await own.close();
    expect(await listeners()).toBe(0);

    const given = client.duplicate();
    const store = redisRevocationStore({ client, subscriber: given, keyPrefix });
    await untilSynchronous(store);
    expect(await listeners()).toBe(1);
    await store.close();
    expect(await listeners()).toBe(0);
    expect(given.status).toBe('ready');
    await given.quit();
  });
});

describeWithService('redis-server and redis-cli', redisUp, 'redis revocation store (3-node Cluster)', () => {
  let cluster: RedisCluster;
  const deployment: Deployment = {
    mode: 'cluster',
    ports: [CLUSTER_BASE, CLUSTER_BASE + 1, CLUSTER_BASE + 2],
    connect: (name) =>
      new Cluster(
        deployment.ports.map((port) => ({ host: '127.0.0.1', port })),
        { redisOptions: { connectionName: name } },
      ),
  };
  beforeAll(async () => {
    cluster = await startRedisCluster(CLUSTER_BASE);
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
  });

  runRevocationStoreConformance('redis cluster', () => subjectOf(deployment, freshPrefix()), {
    maxStaleness: MAX_STALENESS,
  });

  it('keeps every key of a store in one slot', async () => {
    const client = deployment.connect('slots') as Cluster;
    const keyPrefix = freshPrefix();
    const store = redisRevocationStore({ client, keyPrefix });
    try {
      await store.revoke({ kind: 'jti', id: 'a', until: Date.now() + HOUR });
      await store.revoke({ kind: 'sid', id: 'zz-other', until: Date.now() + HOUR });
      const tag = `{${keyPrefix}}`;
      const slots = await Promise.all(
        [`${tag}:seq`, `${tag}:index`, `${tag}:j:a`, `${tag}:s:zz-other`].map((k) => client.cluster('KEYSLOT', k)),
      );
      expect(new Set(slots).size).toBe(1);
      expect(await client.get(`${tag}:seq`)).toBe('2');
    } finally {
      await store.close();
      await client.quit();
    }
  });
});
