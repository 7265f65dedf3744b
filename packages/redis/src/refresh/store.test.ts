import { createHash } from 'node:crypto';
import {
  describeWithService,
  portOpen,
  type RedisCluster,
  type RefreshStoreSubject,
  runRefreshTokenStoreConformance,
  startRedisCluster,
  startRedisServer,
} from '@bulwark/testkit';
import { type RefreshTokenStore, type RotateInput, subjectTag } from '@bulwark/tokens';
import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refreshKeys } from './keys.js';
import {
  CREATE_FAMILY_SCRIPT,
  GET_FAMILY_SCRIPT,
  REVOKE_FAMILY_SCRIPT,
  REVOKE_SUBJECT_SCRIPT,
  ROTATE_SCRIPT,
} from './lua.js';
import { type OtherProcess, startOtherProcess } from './other-process.js';
import { redisRefreshTokenStore } from './store.js';

const REDIS_PORT = 6379;
/** This suite's ports: the Cluster on 30741-30743, a Redis to stop on 30744. */
const CLUSTER_BASE = 30741;
const DOWN_PORT = 30744;
const DAY = 86_400_000;
const redisUp = await portOpen('127.0.0.1', REDIS_PORT);
let sequence = 0;
const freshPrefix = () => `bulwark:test-refresh:${process.pid}-${Date.now()}-${++sequence}`;
const random = (bytes: number) =>
  createHash('sha256').update(`${Math.random()}${++sequence}`).digest('base64url').slice(0, bytes);

interface Deployment {
  readonly mode: 'standalone' | 'cluster';
  readonly ports: readonly number[];
  readonly client: Redis | Cluster;
  readonly prefix: string;
  readonly other: OtherProcess;
}

/** A family of its own for a Redis-specific case (the conformance suite has the port's rules). */
async function family(store: RefreshTokenStore, overrides: { subject?: string; maxFamilies?: number } = {}) {
  const subject = overrides.subject ?? `user-${process.pid}-${++sequence}`;
  const tag = subjectTag(subject);
  const familyId = tag + random(22);
  const first = random(43);
  const created = await store.createFamily({
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

describe('refresh-token lua scripts', () => {
  it('keeps each script SHA pinned (a change to a script is a deliberate act)', () => {
    const sha = (text: string) => createHash('sha1').update(text).digest('hex');
    expect({
      create: sha(CREATE_FAMILY_SCRIPT),
      rotate: sha(ROTATE_SCRIPT),
      revokeFamily: sha(REVOKE_FAMILY_SCRIPT),
      revokeSubject: sha(REVOKE_SUBJECT_SCRIPT),
      getFamily: sha(GET_FAMILY_SCRIPT),
    }).toMatchInlineSnapshot(`
      {
        "create": "a23fab449ce6c4b94d60e5a94d8fa9612c44d4b1",
        "getFamily": "844a91e9e37e0e5588871b04a5ec798f3f454ee2",
        "revokeFamily": "db2974b43275919cd6d2c194a9d6ba36096cf646",
        "revokeSubject": "b151014b9b0a994568d305f38c597bf3017fc5ea",
        "rotate": "d75764c3b5ebbae7d2b544e3c20282a507db64ce",
      }
    `);
  });

  it('refuses malformed options, naming each', () => {
    const client = new Redis({ lazyConnect: true });
    const build = (extra: Record<string, unknown>) => () => redisRefreshTokenStore({ client, ...extra });
    expect(build({ client: {} })).toThrow(expect.objectContaining({ option: 'client' }));
    expect(build({ prefix: 'a{b}' })).toThrow(expect.objectContaining({ option: 'prefix' }));
    expect(build({ prefix: '' })).toThrow(expect.objectContaining({ option: 'prefix' }));
    expect(build({ timeout: 0 })).toThrow(expect.objectContaining({ option: 'timeout' }));
    expect(build({ timeout: '2m' })).toThrow(expect.objectContaining({ option: 'timeout' }));
    expect(build({ endedRetention: '1s' })).toThrow(expect.objectContaining({ option: 'endedRetention' }));
    expect(build({ endedRetention: 'later' })).toThrow(expect.objectContaining({ option: 'endedRetention' }));
    expect(build({ retention: '1d' })).toThrow(expect.objectContaining({ option: 'retention' }));
    expect(build({})).not.toThrow();
    client.disconnect();
  });

  it('maps any family id to one brace-free hash tag, so a script never spans slots', () => {
    const keys = refreshKeys('p');
    for (const id of ['', 'a', '}}}}}}}}rest', '{abcdefgh}', 'AAAAAAAAxyz']) {
      const tags = [keys.family(id), keys.grace(id)].map((key) => /\{([^}]*)\}/.exec(key)?.[1]);
      expect(tags[0], id).toBe(tags[1]);
      expect(tags[0], id).toMatch(/^[^{}]+$/);
    }
    expect(keys.family('AAAAAAAAxyz')).toBe('p:{AAAAAAAA}:f:AAAAAAAAxyz');
    expect(keys.subjectIndex('line\nbreak', 'AAAAAAAA')).toMatch(/^p:\{AAAAAAAA\}:u:[A-Za-z0-9_-]{43}$/);
  });
});

/** The conformance suite and the cases only Redis has, on one deployment. */
function redisCases(name: string, deployment: () => Deployment): void {
  runRefreshTokenStoreConformance(
    name,
    async (): Promise<RefreshStoreSubject> => {
      const { client, prefix, other } = deployment();
      return {
        store: redisRefreshTokenStore({ client, prefix, timeout: '10s' }),
        close: async () => {},
        rotateInOtherProcess: (inputs) => other.rotate(inputs),
      };
    },
    { windowMs: 600 },
  );

  it('two processes rotating the same tokens at the same instant: exactly one rotated each', async () => {
    const { client, prefix, other } = deployment();
    const store = redisRefreshTokenStore({ client, prefix, timeout: '10s' });
    for (const grace of [0, 60_000]) {
      const families = await Promise.all(Array.from({ length: 30 }, () => family(store)));
      const here = families.map((f) => rotateInput(f.familyId, f.first, grace));
      const there = families.map((f) => rotateInput(f.familyId, f.first, grace));
      const at = Date.now() + 300;
      const [mine, theirs] = await Promise.all([
        (async () => {
          await new Promise((r) => setTimeout(r, Math.max(0, at - Date.now())));
          return Promise.all(here.map((input) => store.rotate(input)));
        })(),
        other.rotate(there, at),
      ]);
      for (const [i, f] of families.entries()) {
        const pair = [mine[i], theirs[i]];
        const winners = pair.filter((r) => r?.outcome === 'rotated');
        expect(winners, f.familyId).toHaveLength(1);
        const winner = mine[i]?.outcome === 'rotated' ? here[i] : there[i];
        const loser = pair.find((r) => r?.outcome !== 'rotated');
        if (grace > 0) expect(loser).toMatchObject({ outcome: 'grace', sealedChild: winner?.sealedChild });
        else expect(loser).toMatchObject({ outcome: 'reused', presentedGeneration: 0 });
      }
    }
  });

  it('keeps every key of one user in one slot (the cap and revoke-all are one script)', async () => {
    const { client, prefix } = deployment();
    const store = redisRefreshTokenStore({ client, prefix });
    const a = await family(store);
    await store.rotate(rotateInput(a.familyId, a.first, 60_000));
    const keys = refreshKeys(prefix);
    const names = [keys.family(a.familyId), keys.grace(a.familyId), keys.subjectIndex(a.subject, a.tag)];
    for (const key of names) expect(await client.exists(key), key).toBe(1);
    if (client instanceof Cluster) {
      const slots = await Promise.all(names.map((key) => client.cluster('KEYSLOT', key)));
      expect(new Set(slots).size).toBe(1);
    }
  });
}

describeWithService('Redis on 127.0.0.1:6379', redisUp, 'redis refresh-token store (standalone)', () => {
  let standalone: Deployment;
  beforeAll(async () => {
    const prefix = freshPrefix();
    const client = new Redis({ host: '127.0.0.1', port: REDIS_PORT });
    standalone = {
      mode: 'standalone',
      ports: [REDIS_PORT],
      client,
      prefix,
      other: await startOtherProcess('standalone', [REDIS_PORT], prefix),
    };
  }, 60_000);
  afterAll(async () => {
    await standalone?.other.stop();
    await standalone?.client.quit();
  });

  redisCases('redis standalone', () => standalone);

  it('every key has a TTL: the family to its end plus the retention, the sealed child to its window', async () => {
    const { client, prefix } = standalone;
    const store = redisRefreshTokenStore({ client, prefix, endedRetention: '1h' });
    const keys = refreshKeys(prefix);
    const [before] = await client.time();
    const f = await family(store);
    const one = await store.rotate(rotateInput(f.familyId, f.first, 10_000));
    const [after] = await client.time();
    // Times are Redis's own.
    expect(f.created.now).toBeGreaterThanOrEqual(Number(before) * 1000);
    expect(one.now).toBeLessThanOrEqual((Number(after) + 1) * 1000);
    if (one.outcome !== 'rotated') throw new Error(one.outcome);
    const ttl = (key: string) => client.pttl(key);
    const familyTtl = await ttl(keys.family(f.familyId));
    expect(familyTtl).toBeGreaterThan(7 * DAY + 3_600_000 - 60_000);
    expect(familyTtl).toBeLessThanOrEqual(one.idleExpiresAt + 3_600_000 - one.now);
    const graceTtl = await ttl(keys.grace(f.familyId));
    expect(graceTtl).toBeGreaterThan(0);
    expect(graceTtl).toBeLessThanOrEqual(11_000);
    const indexTtl = await ttl(keys.subjectIndex(f.subject, f.tag));
    expect(indexTtl).toBeGreaterThan(29 * DAY);
    expect(indexTtl).toBeLessThanOrEqual(30 * DAY);
    // No key of this prefix lives forever (-1: no TTL).
    const all = await client.keys(`${prefix}:*`);
    expect(all.length).toBeGreaterThan(3);
    for (const key of all) expect(await ttl(key), key).toBeGreaterThan(0);
    // A rotation without a grace window leaves no sealed child behind; nor does a reuse.
    const child = (await client.hget(keys.family(f.familyId), 'l')) as string;
    expect((await store.rotate(rotateInput(f.familyId, child, 0))).outcome).toBe('rotated');
    expect(await client.exists(keys.grace(f.familyId))).toBe(0);
    const g = await family(store);
    const gOne = rotateInput(g.familyId, g.first, 10_000);
    await store.rotate(gOne);
    await store.rotate(rotateInput(g.familyId, gOne.childHash, 10_000));
    expect((await store.rotate(rotateInput(g.familyId, g.first, 10_000))).outcome).toBe('reused');
    expect(await client.exists(keys.grace(g.familyId))).toBe(0);
    expect(await ttl(keys.family(g.familyId))).toBeGreaterThan(0);
  });

  it('each operation is one round trip (one EVALSHA, or EVAL the first time on a connection)', async () => {
    const { prefix } = standalone;
    const client = new Redis({ host: '127.0.0.1', port: REDIS_PORT });
    const monitor = await client.monitor();
    const seen: string[] = [];
    const address = /(?:^|\s)addr=(\S+)/.exec((await client.call('CLIENT', 'INFO')) as string)?.[1];
    monitor.on('monitor', (_time: string, args: string[], source: string) => {
      if (source === address) seen.push(String(args[0]).toLowerCase());
    });
    try {
      const store = redisRefreshTokenStore({ client, prefix });
      const counted = async (op: () => Promise<unknown>) => {
        await client.ping();
        await new Promise((r) => setTimeout(r, 50));
        seen.length = 0;
        await op();
        await client.ping();
        await new Promise((r) => setTimeout(r, 50));
        return seen.filter((command) => command !== 'ping');
      };
      const f = await family(store);
      const g = await family(store, { subject: f.subject });
      const one = rotateInput(f.familyId, f.first, 60_000);
      const ops: Array<[string, () => Promise<unknown>]> = [
        ['createFamily', () => family(store, { subject: f.subject, maxFamilies: 2 })],
        ['rotate (rotated)', () => store.rotate(one)],
        ['rotate (grace)', () => store.rotate(rotateInput(f.familyId, f.first, 60_000))],
        ['rotate (unknown)', () => store.rotate(rotateInput(f.familyId, random(43), 60_000))],
        ['getFamily', () => store.getFamily(f.familyId)],
        ['revokeFamily', () => store.revokeFamily(g.familyId)],
        ['revokeSubject', () => store.revokeSubject(f.subject, f.tag)],
      ];
      for (const [name, op] of ops) {
        const commands = await counted(op);
        expect(commands, name).toHaveLength(1);
        expect(['evalsha', 'eval'], name).toContain(commands[0]);
      }
    } finally {
      monitor.disconnect();
      client.disconnect();
    }
  });

  it('recovers from a flushed script cache (NOSCRIPT falls back to EVAL)', async () => {
    const { prefix } = standalone;
    const client = new Redis({ host: '127.0.0.1', port: REDIS_PORT });
    try {
      const store = redisRefreshTokenStore({ client, prefix });
      const f = await family(store);
      await client.script('FLUSH');
      expect((await store.rotate(rotateInput(f.familyId, f.first))).outcome).toBe('rotated');
    } finally {
      client.disconnect();
    }
  });

  it('works through a client with its own keyPrefix (the keys a script builds carry it too)', async () => {
    const clientPrefix = `${freshPrefix()}:app:`;
    const client = new Redis({ host: '127.0.0.1', port: REDIS_PORT, keyPrefix: clientPrefix });
    const raw = new Redis({ host: '127.0.0.1', port: REDIS_PORT });
    try {
      const store = redisRefreshTokenStore({ client, prefix: 'refresh' });
      const a = await family(store, { maxFamilies: 1 });
      const b = await family(store, { subject: a.subject, maxFamilies: 1 });
      expect(b.created.evicted).toEqual([a.familyId]);
      expect((await store.getFamily(a.familyId))?.status).toBe('revoked');
      expect(await store.revokeSubject(a.subject, a.tag)).toEqual([b.familyId]);
      // Nothing was written outside the client's prefix.
      const keys = await raw.keys(`refresh:{${a.tag}}*`);
      expect(keys).toEqual([]);
      expect((await raw.keys(`${clientPrefix}*`)).length).toBeGreaterThan(0);
    } finally {
      client.disconnect();
      raw.disconnect();
    }
  });
});

describeWithService('redis-server', redisUp, 'redis refresh-token store when Redis is down', () => {
  it('rejects with store_unavailable at once, or store_timeout within the timeout: never hangs', async () => {
    const server = await startRedisServer(DOWN_PORT);
    const failFast = new Redis({ host: '127.0.0.1', port: DOWN_PORT, enableOfflineQueue: false }).on('error', () => {});
    // The default client queues commands while it reconnects: only the store's timeout ends the wait.
    const queueing = new Redis({ host: '127.0.0.1', port: DOWN_PORT, maxRetriesPerRequest: null }).on(
      'error',
      () => {},
    );
    try {
      const fast = redisRefreshTokenStore({ client: failFast, timeout: '300ms' });
      const queued = redisRefreshTokenStore({ client: queueing, timeout: '300ms' });
      await Promise.all(
        [failFast, queueing].map((c) => (c.status === 'ready' ? undefined : new Promise((r) => c.once('ready', r)))),
      );
      const f = await family(fast);
      await server.stop();
      await new Promise((r) => setTimeout(r, 200));
      for (const [store, code] of [
        [fast, 'store_unavailable'],
        [queued, 'store_timeout'],
      ] as const) {
        const started = Date.now();
        const error = await store.rotate(rotateInput(f.familyId, f.first)).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error, code).toMatchObject({ name: 'BulwarkError', code });
        expect((error as Error).message).toMatch(/^refresh-token store rotate: /);
        // No hash, no token in the message.
        expect((error as Error).message).not.toContain(f.first);
        expect(Date.now() - started).toBeLessThan(300 + 1_000);
      }
    } finally {
      failFast.disconnect();
      queueing.disconnect();
      await server.stop();
    }
  }, 30_000);
});

describeWithService('redis-server and redis-cli', redisUp, 'redis refresh-token store (3-node Cluster)', () => {
  let cluster: RedisCluster;
  let deployment: Deployment;
  beforeAll(async () => {
    cluster = await startRedisCluster(CLUSTER_BASE);
    const ports = cluster.nodes.map((n) => n.port);
    const prefix = freshPrefix();
    const client = new Cluster(cluster.nodes.map((n) => ({ host: n.host, port: n.port })));
    await client.ping();
    deployment = { mode: 'cluster', ports, client, prefix, other: await startOtherProcess('cluster', ports, prefix) };
  }, 60_000);
  afterAll(async () => {
    await deployment?.other.stop();
    await deployment?.client.quit();
    await cluster?.stop();
  });

  redisCases('redis cluster', () => deployment);
});
