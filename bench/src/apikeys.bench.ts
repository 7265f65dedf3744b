import { type ApiKeyStore, apiKeys } from '@bulwark/api-keys';
import { redisApiKeyStore } from '@bulwark/redis';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { Redis } from 'ioredis';
import { compare, compareAsync, type Result } from './harness.js';

const OWNER = { ownerId: 'bench-owner', ownerScopes: ['notes:read', 'notes:write'], name: 'bench' } as const;
const KEYS = 1000;

/** A store that counts the calls reaching it: each is one Redis round trip (see packages/redis/src/api-keys). */
function counting(store: ApiKeyStore): { store: ApiKeyStore; calls: () => number } {
  let calls = 0;
  const counted = new Proxy(store, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver);
      if (typeof value !== 'function' || name === 'close') return value;
      return (...args: unknown[]) => {
        calls++;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store: counted, calls: () => calls };
}

/**
 * A verify of a valid key against the least a hand-written check does: SHA-256 of the same
 * key (the same @noble/hashes) and a Map lookup of its hex digest. 1,000 keys, taken in
 * turn. With the cache (`apikeys.verify.memory`): the verified-key cache lookup of the
 * exact text, revocation and expiry checks, the principal; the text was parsed,
 * checksummed, hashed and compared when it was cached. Without it
 * (`apikeys.verify.memory.uncached`): parse, checksum, the memory store's read by id,
 * SHA-256, constant-time compare, revocation and expiry, every time (a Promise: the store
 * port is async).
 */
async function memoryBench(cached: boolean): Promise<Result> {
  const keys = apiKeys({ cache: cached ? {} : false });
  const created = await Promise.all(Array.from({ length: KEYS }, () => keys.create(OWNER)));
  const texts = created.map((c) => c.key);
  const byDigest = new Map(texts.map((key, i) => [bytesToHex(sha256(utf8ToBytes(key))), created[i]]));
  for (const key of texts) {
    const outcome = await keys.verify(key);
    if (!outcome.ok) throw new Error(`bench key refused: ${outcome.reason}`);
  }
  let sink = 0;
  const theirs = (i: number) => {
    if (byDigest.get(bytesToHex(sha256(utf8ToBytes(texts[i % KEYS] as string)))) !== undefined) sink++;
  };
  const result = cached
    ? await compare(
        {
          bench: 'apikeys.verify.memory',
          anchor: 'sha256+map',
          ours(i) {
            const outcome = keys.verify(texts[i % KEYS]) as { ok: boolean };
            if (outcome.ok) sink++;
          },
          theirs,
        },
        { iterations: 100_000, rounds: 12 },
      )
    : await compareAsync(
        {
          bench: 'apikeys.verify.memory.uncached',
          anchor: 'sha256+map',
          ours: async (i) => {
            if ((await keys.verify(texts[i % KEYS])).ok) sink++;
          },
          theirs,
        },
        { iterations: 20_000, rounds: 10 },
      );
  if (sink === 0) throw new Error('nothing verified');
  await keys.close();
  return result;
}

/**
 * On Redis: a hot key verified through the cache (0 store round trips per verify: every
 * call is counted) against what a cacheless check costs, one HGET of the key's SHA-256
 * per verify. Also reports the round trips of a verify with the cache off (1: the read).
 */
async function redisBench(): Promise<Result[]> {
  const options = { host: '127.0.0.1', port: 6379 };
  const client = new Redis(options);
  const raw = new Redis(options);
  const prefix = `bench:apikeys:${Date.now()}`;
  const cached = counting(redisApiKeyStore({ client, keyPrefix: prefix }));
  const keys = apiKeys({ store: cached.store });
  const created = await Promise.all(Array.from({ length: 100 }, () => keys.create(OWNER)));
  const texts = created.map((c) => c.key);
  for (const c of created) await raw.hset(`${prefix}:raw`, bytesToHex(sha256(utf8ToBytes(c.key))), c.id);
  const deadline = Date.now() + 5000;
  while (!cached.store.invalidations.trusted && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  for (const key of texts) await keys.verify(key);
  const before = cached.calls();
  let verified = 0;
  const hot = await compareAsync(
    {
      bench: 'apikeys.verify.redis',
      anchor: 'redis-hget',
      ours: (i) => {
        verified++;
        return keys.verify(texts[i % texts.length]);
      },
      theirs: (i) => raw.hget(`${prefix}:raw`, bytesToHex(sha256(utf8ToBytes(texts[i % texts.length] as string)))),
    },
    { iterations: 5_000, rounds: 8 },
  );
  const hitTrips = (cached.calls() - before) / verified;

  const uncached = counting(redisApiKeyStore({ client, keyPrefix: prefix }));
  const cold = apiKeys({ store: uncached.store, cache: false });
  const coldBefore = uncached.calls();
  const n = 2000;
  for (let i = 0; i < n; i++) await cold.verify(texts[i % texts.length]);
  const missTrips = (uncached.calls() - coldBefore) / n;

  await Promise.all([keys.close(), cold.close()]);
  await raw.del(`${prefix}:raw`);
  const stale = await client.keys(`{${prefix}}*`);
  if (stale.length > 0) await client.del(...stale);
  await Promise.all([client.quit(), raw.quit()]);
  return [
    {
      ...hot,
      roundTripsPerVerify: Number(hitTrips.toFixed(4)),
      roundTripsPerUncachedVerify: Number(missTrips.toFixed(4)),
    },
  ];
}

export async function apikeysBench(): Promise<Result[]> {
  const only = process.env.BENCH_APIKEYS;
  const memory = only === 'redis' ? [] : [await memoryBench(true), await memoryBench(false)];
  return only === 'memory' ? memory : [...memory, ...(await redisBench())];
}
