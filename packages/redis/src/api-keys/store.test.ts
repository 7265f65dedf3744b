import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { apiKeys } from '@bulwark/api-keys';
import {
  type ApiKeyStoreSubject,
  describeWithService,
  portOpen,
  type RedisCluster,
  runApiKeyStoreConformance,
  startRedisCluster,
} from '@bulwark/testkit';
import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFeedMessage } from './feed.js';
import {
  CREATE_SCRIPT,
  CREDITS_SCRIPT,
  HEARTBEAT_SCRIPT,
  LIST_SCRIPT,
  REVOKE_SCRIPT,
  ROTATE_SCRIPT,
  TOUCH_SCRIPT,
} from './lua.js';
import { redisApiKeyStore } from './store.js';

const run = promisify(execFile);
const REDIS_PORT = 6379;
/** This suite's ports: 30761-30765 (a Cluster on the first three). */
const CLUSTER_BASE = 30761;
const MAX_STALENESS = 500;
const redisUp = await portOpen('127.0.0.1', REDIS_PORT);
let sequence = 0;
const freshPrefix = () => `bulwark:test-apikeys:${process.pid}-${Date.now()}-${++sequence}`;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Deployment {
  readonly mode: 'standalone' | 'cluster';
  readonly ports: readonly number[];
  connect(): Redis | Cluster;
}

function revokeInWorker(deployment: Deployment, keyPrefix: string, id: string): Promise<number> {
  const tsx = resolve(import.meta.dirname, '../../../../node_modules/.bin/tsx');
  const worker = resolve(import.meta.dirname, 'revoke-worker.ts');
  return run(tsx, [worker, deployment.mode, deployment.ports.join(','), keyPrefix, id], {
    timeout: 60_000,
    env: { ...process.env, TSX_TSCONFIG_PATH: resolve(import.meta.dirname, '../../../../tsconfig.json') },
  }).then(({ stdout }) => {
    const out = JSON.parse(stdout.trim()) as { revoked: boolean; revokedAt: number };
    expect(out.revoked).toBe(true);
    return out.revokedAt;
  });
}

async function subjectOf(deployment: Deployment, keyPrefix: string): Promise<ApiKeyStoreSubject> {
  const client = deployment.connect();
  const store = redisApiKeyStore({ client, keyPrefix, maxStaleness: MAX_STALENESS });
  return {
    store,
    close: async () => {
      await store.close?.();
      await client.quit();
    },
    peer: () => subjectOf(deployment, keyPrefix),
    revokeFromOtherProcess: (id) => revokeInWorker(deployment, keyPrefix, id),
  };
}

describe('api-key lua scripts', () => {
  it('keeps each script SHA pinned (a change to a script is a deliberate act)', () => {
    const sha = (text: string) => createHash('sha1').update(text).digest('hex');
    expect({
      create: sha(CREATE_SCRIPT),
      list: sha(LIST_SCRIPT),
      revoke: sha(REVOKE_SCRIPT),
      rotate: sha(ROTATE_SCRIPT),
      touch: sha(TOUCH_SCRIPT),
      credits: sha(CREDITS_SCRIPT),
      heartbeat: sha(HEARTBEAT_SCRIPT),
    }).toMatchInlineSnapshot(`
      {
        "create": "0de675bbfb9e03dfad940c8cb1bd8ae6abca2e36",
        "credits": "1ee575ed7e4039d3d92db5104ceddfef89631491",
        "heartbeat": "a3e23883c6978bbc61df82913475c033fabf0208",
        "list": "755b37248c054f9bb31f1183c3a0a3866c06515a",
        "revoke": "c76c64625d070c6b70fe6af8e9f5f66ecb87961d",
        "rotate": "a2f6d89686f27277c2da25cd79b84ce653a7ffc1",
        "touch": "269512d25f937fbdff65daeaf520570953c5de14",
      }
    `);
  });

  it('refuses malformed options, naming each', () => {
    const client = new Redis({ lazyConnect: true });
    const build = (extra: Record<string, unknown>) => () => redisApiKeyStore({ client, ...extra });
    expect(() => redisApiKeyStore({ client: {} as never })).toThrow(expect.objectContaining({ option: 'client' }));
    expect(build({ keyPrefix: '{x}' })).toThrow(expect.objectContaining({ option: 'keyPrefix' }));
    expect(build({ maxStaleness: '10ms' })).toThrow(expect.objectContaining({ option: 'maxStaleness' }));
    expect(build({ timeout: 0 })).toThrow(expect.objectContaining({ option: 'timeout' }));
    expect(build({ retention: 10 })).toThrow(expect.objectContaining({ option: 'retention' }));
    expect(build({ subscriber: client })).toThrow(expect.objectContaining({ option: 'subscriber' }));
    expect(build({ keyprefix: 'x' })).toThrow(expect.objectContaining({ option: 'keyprefix' }));
    client.disconnect();
  });

  it('parses channel messages, ids taken whole', () => {
    expect(parseFeedMessage('i 7 a b c')).toEqual({ type: 'invalidation', seq: 7, id: 'a b c' });
    expect(parseFeedMessage('h 3 12.5')).toEqual({ type: 'heartbeat', seq: 3, token: '12.5' });
    for (const junk of ['i 7 ', 'i x y', 'h 3', 'hello', '']) expect(parseFeedMessage(junk)).toBeUndefined();
  });
});

describeWithService('Redis on 127.0.0.1:6379', redisUp, 'redis api-key store (standalone)', () => {
  const deployment: Deployment = {
    mode: 'standalone',
    ports: [REDIS_PORT],
    connect: () => new Redis({ host: '127.0.0.1', port: REDIS_PORT }),
  };
  runApiKeyStoreConformance('redis standalone', () => subjectOf(deployment, freshPrefix()), { shared: true });

  let client: Redis;
  beforeAll(() => {
    client = new Redis({ host: '127.0.0.1', port: REDIS_PORT });
  });
  afterAll(async () => {
    await client.quit();
  });

  it('keeps only the digest, every key under the prefix as hash tag, with a TTL of the key life plus retention', async () => {
    const keyPrefix = freshPrefix();
    const keys = apiKeys({ store: redisApiKeyStore({ client, keyPrefix, retention: '1d' }) });
    try {
      const created = await keys.create({ ownerId: 'alice', ownerScopes: ['a'], name: 'k', expiresIn: '1h' });
      const tag = `{${keyPrefix}}`;
      expect((await client.keys(`${tag}*`)).sort()).toEqual([`${tag}:k:${created.id}`, `${tag}:o:alice`]);
      const stored = await client.hgetall(`${tag}:k:${created.id}`);
      expect(stored.h).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(JSON.stringify(stored)).not.toContain(created.key.slice(-49));
      const ttl = await client.pttl(`${tag}:k:${created.id}`);
      expect(ttl).toBeGreaterThan(86_400_000 + 3_500_000);
      expect(ttl).toBeLessThanOrEqual(86_400_000 + 3_600_000);
      await keys.revoke(created.id);
      expect(await client.pttl(`${tag}:k:${created.id}`)).toBeLessThanOrEqual(86_400_000);
      expect(await client.get(`${tag}:seq`)).toBe('1');
    } finally {
      await keys.close();
    }
  });

  it('survives SCRIPT FLUSH (NOSCRIPT falls back to EVAL) without spending twice', async () => {
    const keys = apiKeys({ store: redisApiKeyStore({ client, keyPrefix: freshPrefix() }) });
    try {
      const { id } = await keys.create({ ownerId: 'o', ownerScopes: [], name: 'k', credits: { remaining: 2 } });
      expect(await keys.consumeCredits(id)).toEqual({ limited: true, ok: true, remaining: 1 });
      await client.script('FLUSH');
      expect(await keys.consumeCredits(id)).toEqual({ limited: true, ok: true, remaining: 0 });
      expect(await keys.consumeCredits(id)).toEqual({ limited: true, ok: false, remaining: 0 });
    } finally {
      await keys.close();
    }
  });

  it('stops trusting a silent channel within maxStaleness: a hot key then reads Redis, and a failed read refuses it', async () => {
    const own = new Redis({ host: '127.0.0.1', port: REDIS_PORT });
    const subscriber = new Redis({ host: '127.0.0.1', port: REDIS_PORT });
    const store = redisApiKeyStore({
      client: own,
      subscriber,
      keyPrefix: freshPrefix(),
      maxStaleness: MAX_STALENESS,
      timeout: '200ms',
    });
    const keys = apiKeys({ store });
    try {
      const deadline = Date.now() + 5000;
      while (!store.invalidations.trusted && Date.now() < deadline) await pause(10);
      const { key } = await keys.create({ ownerId: 'o', ownerScopes: [], name: 'k' });
      expect((await keys.verify(key)).ok).toBe(true);
      expect(keys.verify(key)).not.toBeInstanceOf(Promise);
      await subscriber.unsubscribe();
      const silentAt = Date.now();
      while (store.invalidations.trusted && Date.now() - silentAt < 3 * MAX_STALENESS) await pause(10);
      expect(store.invalidations.trusted).toBe(false);
      expect(Date.now() - silentAt).toBeLessThan(MAX_STALENESS + 600);
      expect(keys.verify(key)).toBeInstanceOf(Promise);
      own.disconnect();
      expect(await keys.verify(key)).toEqual({ ok: false, reason: 'store_unavailable' });
    } finally {
      await keys.close();
      subscriber.disconnect();
      own.disconnect();
    }
  });
});

describeWithService('redis-server and redis-cli', redisUp, 'redis api-key store (3-node Cluster)', () => {
  let cluster: RedisCluster;
  const ports = [CLUSTER_BASE, CLUSTER_BASE + 1, CLUSTER_BASE + 2];
  const deployment: Deployment = {
    mode: 'cluster',
    ports,
    connect: () => new Cluster(ports.map((port) => ({ host: '127.0.0.1', port }))),
  };
  beforeAll(async () => {
    cluster = await startRedisCluster(CLUSTER_BASE);
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
  });

  runApiKeyStoreConformance('redis cluster', () => subjectOf(deployment, freshPrefix()), { shared: true });
});
