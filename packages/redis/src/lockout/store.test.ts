import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { manualClock } from '@bulwark/core';
import { DEFAULT_RULES, type LockoutOptions, type LockoutTarget, lockout } from '@bulwark/lockout';
import {
  describeWithService,
  type LockoutStoreSubject,
  portOpen,
  type RedisCluster,
  runLockoutStoreConformance,
  startRedisCluster,
} from '@bulwark/testkit';
import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockoutKeys } from './keys.js';
import { CLEAR_SCRIPT, INSPECT_SCRIPT, REFUND_SCRIPT, RESERVE_SCRIPT } from './lua.js';
import { redisLockoutStore } from './store.js';

const run = promisify(execFile);
const REDIS_PORT = 6379;
/** Ports of this suite: 30771-30775 (others use 30701-30735). */
const CLUSTER_BASE = 30771;
const redisUp = await portOpen('127.0.0.1', REDIS_PORT);
let sequence = 0;
const freshPrefix = () => `bulwark:test-lockout:${process.pid}-${Date.now()}-${++sequence}`;

interface Deployment {
  readonly mode: 'standalone' | 'cluster';
  readonly ports: readonly number[];
  connect(): Redis | Cluster;
}

function runWorker(
  deployment: Deployment,
  keyPrefix: string,
  target: LockoutTarget,
  options: LockoutOptions,
  n: number,
) {
  const tsx = resolve(import.meta.dirname, '../../../../node_modules/.bin/tsx');
  const worker = resolve(import.meta.dirname, 'fail-worker.ts');
  const args = [
    worker,
    deployment.mode,
    deployment.ports.join(','),
    keyPrefix,
    JSON.stringify(target),
    JSON.stringify(options),
    String(n),
  ];
  return run(tsx, args, { timeout: 60_000 }).then(
    ({ stdout }) => (JSON.parse(stdout.trim()) as { allowed: number }).allowed,
  );
}

async function subjectOf(deployment: Deployment): Promise<LockoutStoreSubject> {
  const client = deployment.connect();
  const clock = manualClock();
  const keyPrefix = freshPrefix();
  return {
    store: redisLockoutStore({ client, keyPrefix, clock }),
    clock,
    close: async () => {
      await client.quit();
    },
    failFromOtherProcess: (target, options, n) => runWorker(deployment, keyPrefix, target, options, n),
  };
}

describe('lockout lua scripts', () => {
  it('keeps each script SHA pinned (a change to a script is a deliberate act)', () => {
    const sha = (text: string) => createHash('sha1').update(text).digest('hex');
    expect({
      reserve: sha(RESERVE_SCRIPT),
      refund: sha(REFUND_SCRIPT),
      clear: sha(CLEAR_SCRIPT),
      inspect: sha(INSPECT_SCRIPT),
    }).toMatchInlineSnapshot(`
      {
        "clear": "2e07e7c6981a5642b395510ec1eed519204d1337",
        "inspect": "9a737b6dd003d0151c41fe0b89145aadea4b9c06",
        "refund": "2bf0da50c1fff4f6554c6ec304974af1d47ae504",
        "reserve": "b2b9802fc470041aef54b1589df44b59f80939d1",
      }
    `);
  });
});

const standalone: Deployment = {
  mode: 'standalone',
  ports: [REDIS_PORT],
  connect: () => new Redis({ host: '127.0.0.1', port: REDIS_PORT }),
};

describeWithService('redis-server', redisUp, 'redis lockout store (standalone)', () => {
  runLockoutStoreConformance('redis standalone', () => subjectOf(standalone));

  it('gives every key a TTL, and counts on Redis TIME without a clock', async () => {
    const client = standalone.connect() as Redis;
    const keyPrefix = freshPrefix();
    try {
      const signIns = lockout({ store: redisLockoutStore({ client, keyPrefix }) });
      const before = Date.now();
      for (let i = 0; i < 5; i++) {
        const attempt = await signIns.reserve({ account: 'ttl@example.com', ip: '192.0.2.44' });
        if (attempt.allowed) await attempt.settle(false);
      }
      await signIns.unlock({ account: 'other@example.com' });
      const keys = await client.keys(`${keyPrefix}:*`);
      expect(keys).toHaveLength(4);
      for (const key of keys) expect(await client.pttl(key)).toBeGreaterThan(0);
      const status = await signIns.status({ account: 'ttl@example.com', ip: '192.0.2.44' });
      expect(status.pair.lockedUntil).toBeGreaterThanOrEqual(before + 15 * 60_000 - 1000);
      expect(status.pair.lockedUntil).toBeLessThanOrEqual(Date.now() + 15 * 60_000 + 1000);
    } finally {
      await client.quit();
    }
  });

  it('answers one attempt in one round trip (EVALSHA), and after SCRIPT FLUSH (NOSCRIPT fallback)', async () => {
    const client = standalone.connect() as Redis;
    const admin = standalone.connect() as Redis;
    const store = redisLockoutStore({ client, keyPrefix: freshPrefix() });
    const target = { account: 'rt', ip: '192.0.2.45' };
    await client.ping(); // connected: the handshake's commands are not counted
    // Counted at the client: the shared Redis serves other suites' scripts too.
    const sent: string[] = [];
    const send = client.sendCommand.bind(client);
    client.sendCommand = ((command: Parameters<Redis['sendCommand']>[0]) => {
      sent.push((command as { name: string }).name);
      return send(command);
    }) as Redis['sendCommand'];
    try {
      await admin.script('FLUSH');
      expect(await store.reserve(target, DEFAULT_RULES)).toMatchObject({ allowed: true });
      // ioredis retries NOSCRIPT with EVAL itself (not always through sendCommand).
      expect(sent[0]).toBe('evalsha');
      const before = sent.length;
      for (let i = 0; i < 3; i++) await store.reserve(target, DEFAULT_RULES);
      expect(sent.slice(before)).toEqual(['evalsha', 'evalsha', 'evalsha']);
    } finally {
      await Promise.all([client.quit(), admin.quit()]);
    }
  });
});

describeWithService('redis-server and redis-cli', redisUp, 'redis lockout store (3-node Cluster)', () => {
  let cluster: RedisCluster;
  const deployment: Deployment = {
    mode: 'cluster',
    ports: [CLUSTER_BASE, CLUSTER_BASE + 1, CLUSTER_BASE + 2],
    connect: () => new Cluster(deployment.ports.map((port) => ({ host: '127.0.0.1', port }))),
  };
  beforeAll(async () => {
    cluster = await startRedisCluster(CLUSTER_BASE);
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
  });

  runLockoutStoreConformance('redis cluster', () => subjectOf(deployment));

  it("keeps an account's keys in one slot, and IPs in their own", async () => {
    const client = deployment.connect() as Cluster;
    try {
      const prefix = freshPrefix();
      const a = lockoutKeys(prefix, { account: 'tagA', ip: '192.0.2.1' });
      const b = lockoutKeys(prefix, { account: 'tagA', ip: '2001:db8::/64' });
      const slots = await Promise.all([a.pair, a.account, b.pair].map((k) => client.cluster('KEYSLOT', k)));
      expect(new Set(slots).size).toBe(1);
      expect(await client.cluster('KEYSLOT', a.ip)).not.toBe(slots[0]);
    } finally {
      await client.quit();
    }
  });
});
