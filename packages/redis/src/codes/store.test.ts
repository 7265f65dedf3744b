import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import {
  type AuthorizationCodeStoreSubject,
  describeWithService,
  portOpen,
  type RedisCluster,
  runAuthorizationCodeStoreConformance,
  startRedisCluster,
} from '@bulwark/testkit';
import { authorizationCodeHash, createPkcePair, newAuthorizationCode, type RedeemResult } from '@bulwark/tokens';
import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CODE_REDEEM_SCRIPT, CODE_REUSED_SCRIPT, CODE_SAVE_SCRIPT } from './lua.js';
import { redisAuthorizationCodeStore } from './store.js';

const run = promisify(execFile);
const REDIS_PORT = 6379;
/** Other suites use 30701-30703, 30711, 30712, 30721-30723 and 30731-30735. */
const CLUSTER_BASE = 30751;
const redisUp = await portOpen('127.0.0.1', REDIS_PORT);
let sequence = 0;
const freshPrefix = () => `bulwark:test-code:${process.pid}-${Date.now()}-${++sequence}`;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

function runWorker(
  mode: string,
  ports: readonly number[],
  keyPrefix: string,
  hash: string,
  count: number,
  startAt: number,
) {
  const tsx = resolve(import.meta.dirname, '../../../../node_modules/.bin/tsx');
  const worker = resolve(import.meta.dirname, 'redeem-worker.ts');
  return run(tsx, [worker, mode, ports.join(','), keyPrefix, hash, String(count), String(startAt)], {
    timeout: 60_000,
  }).then(({ stdout }) => JSON.parse(stdout.trim()) as RedeemResult['outcome'][]);
}

function subjectOf(client: Redis | Cluster, mode: string, ports: readonly number[]): AuthorizationCodeStoreSubject {
  const keyPrefix = freshPrefix();
  return {
    store: redisAuthorizationCodeStore({ client, keyPrefix }),
    // Redis's clock cannot be moved: its time has to pass.
    elapse: async (ms) => {
      await pause(ms);
    },
    redeemFromOtherProcess: (hash, count, startAt) => runWorker(mode, ports, keyPrefix, hash, count, startAt),
  };
}

const record = async () => ({
  clientId: 'notes-spa',
  redirectUri: 'http://localhost:5173/callback',
  codeChallenge: (await createPkcePair()).challenge,
  scopes: ['notes:read'],
  subject: 'user-1',
  familyId: 'family-1',
});

describe('authorization code lua scripts', () => {
  it('keeps each script SHA pinned (a change to a script is a deliberate act)', () => {
    const sha = (text: string) => createHash('sha1').update(text).digest('hex');
    expect({
      save: sha(CODE_SAVE_SCRIPT),
      redeem: sha(CODE_REDEEM_SCRIPT),
      reused: sha(CODE_REUSED_SCRIPT),
    }).toMatchInlineSnapshot(`
      {
        "redeem": "c7abf85221729a72ca4801f00e3b60c458624d11",
        "reused": "947a801fadbfdd31eec7acc9c08b42dc70c3205b",
        "save": "c40a6f4e7de9a1277180129d2ade58056f8fb86d",
      }
    `);
  });

  it('refuses malformed options, naming each', () => {
    const client = new Redis({ lazyConnect: true });
    const build = (extra: Record<string, unknown>) => () => redisAuthorizationCodeStore({ client, ...extra });
    expect(build({ client: {} })).toThrow(expect.objectContaining({ option: 'client' }));
    expect(build({ client: undefined })).toThrow(expect.objectContaining({ option: 'client' }));
    expect(build({ keyPrefix: 'a{b}' })).toThrow(expect.objectContaining({ option: 'keyPrefix' }));
    expect(build({ keyPrefix: '' })).toThrow(expect.objectContaining({ option: 'keyPrefix' }));
    expect(build({ keyPrefx: 'x' })).toThrow(expect.objectContaining({ option: 'keyPrefx' }));
    client.disconnect();
  });
});

describeWithService('Redis on 127.0.0.1:6379', redisUp, 'redis authorization code store (standalone)', () => {
  let client: Redis;
  beforeAll(() => {
    client = new Redis({ host: '127.0.0.1', port: REDIS_PORT });
  });
  afterAll(async () => {
    await client.quit();
  });

  runAuthorizationCodeStoreConformance('redis standalone', () => subjectOf(client, 'standalone', [REDIS_PORT]), {
    otherProcesses: true,
  });

  it('keeps a code as one hash under its hash with a TTL, and never the code or the record outside it', async () => {
    const keyPrefix = freshPrefix();
    const store = redisAuthorizationCodeStore({ client, keyPrefix });
    const code = newAuthorizationCode();
    const hash = await authorizationCodeHash(code);
    await store.save(hash, await record(), 60_000);
    expect(await client.keys(`${keyPrefix}:*`)).toEqual([`${keyPrefix}:${hash}`]);
    const ttl = await client.pttl(`${keyPrefix}:${hash}`);
    expect(ttl).toBeGreaterThan(55_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
    const fields = await client.hgetall(`${keyPrefix}:${hash}`);
    expect(Object.keys(fields).sort()).toEqual(['e', 'r', 'u', 'x']);
    expect(JSON.stringify(fields)).not.toContain(code);
    // A use keeps the TTL (the record stays until its expiry to detect a second use).
    await store.redeem(hash);
    expect(await client.pttl(`${keyPrefix}:${hash}`)).toBeGreaterThan(50_000);
    await client.del(`${keyPrefix}:${hash}`);
  });

  it('survives SCRIPT FLUSH (NOSCRIPT falls back to EVAL) without a second redemption', async () => {
    const store = redisAuthorizationCodeStore({ client, keyPrefix: freshPrefix() });
    const hash = await authorizationCodeHash(newAuthorizationCode());
    await store.save(hash, await record(), 60_000);
    await client.script('FLUSH');
    expect((await store.redeem(hash)).outcome).toBe('redeemed');
    await client.script('FLUSH');
    expect((await store.redeem(hash)).outcome).toBe('reused');
    await client.script('FLUSH');
    expect(await store.wasReused(hash)).toBe(true);
  });

  it('a tampered record is a store failure, never a grant', async () => {
    const keyPrefix = freshPrefix();
    const store = redisAuthorizationCodeStore({ client, keyPrefix });
    const hash = await authorizationCodeHash(newAuthorizationCode());
    await store.save(hash, await record(), 60_000);
    const stored = JSON.parse((await client.hget(`${keyPrefix}:${hash}`, 'r')) as string);
    await client.hset(`${keyPrefix}:${hash}`, 'r', JSON.stringify({ ...stored, codeChallenge: '' }));
    await expect(store.redeem(hash)).rejects.toMatchObject({ code: 'store_unavailable' });
    await client.hset(`${keyPrefix}:${hash}`, 'r', 'not json');
    await expect(store.redeem(hash)).rejects.toMatchObject({ code: 'store_unavailable' });
    await client.del(`${keyPrefix}:${hash}`);
  });

  it('answers unknown for a malformed hash without asking Redis', async () => {
    const store = redisAuthorizationCodeStore({ client, keyPrefix: freshPrefix() });
    expect(await store.redeem('*')).toEqual({ outcome: 'unknown' });
    expect(await store.wasReused('x'.repeat(500))).toBe(false);
  });

  it('a failed call rejects with store_unavailable', async () => {
    const down = new Redis({
      host: '127.0.0.1',
      port: 1,
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
    });
    down.on('error', () => {});
    const store = redisAuthorizationCodeStore({ client: down });
    const hash = await authorizationCodeHash(newAuthorizationCode());
    await expect(store.save(hash, await record(), 1000)).rejects.toMatchObject({ code: 'store_unavailable' });
    await expect(store.redeem(hash)).rejects.toMatchObject({ code: 'store_unavailable' });
    await expect(store.wasReused(hash)).rejects.toMatchObject({ code: 'store_unavailable' });
    down.disconnect();
  });
});

describeWithService('redis-server and redis-cli', redisUp, 'redis authorization code store (3-node Cluster)', () => {
  let cluster: RedisCluster;
  let client: Cluster;
  const ports = [CLUSTER_BASE, CLUSTER_BASE + 1, CLUSTER_BASE + 2];
  beforeAll(async () => {
    cluster = await startRedisCluster(CLUSTER_BASE);
    client = new Cluster(ports.map((port) => ({ host: '127.0.0.1', port })));
  }, 60_000);
  afterAll(async () => {
    await client?.quit();
    await cluster?.stop();
  });

  runAuthorizationCodeStoreConformance('redis cluster', () => subjectOf(client, 'cluster', ports), {
    otherProcesses: true,
  });

  it('spreads codes over the nodes (one key per code, any slot)', async () => {
    const keyPrefix = freshPrefix();
    const store = redisAuthorizationCodeStore({ client, keyPrefix });
    const hashes = await Promise.all(Array.from({ length: 30 }, () => authorizationCodeHash(newAuthorizationCode())));
    for (const h of hashes) await store.save(h, await record(), 60_000);
    const slots = await Promise.all(hashes.map((h) => client.cluster('KEYSLOT', `${keyPrefix}:${h}`)));
    expect(new Set(slots).size).toBeGreaterThan(1);
    expect((await Promise.all(hashes.map((h) => store.redeem(h)))).every((r) => r.outcome === 'redeemed')).toBe(true);
  });
});
