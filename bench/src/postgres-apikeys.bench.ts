import { type ApiKeyStore, apiKeys } from '@bulwark/api-keys';
import { migrate, postgresApiKeyStore } from '@bulwark/postgres';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import pg from 'pg';
import { compareAsync, type Result } from './harness.js';

// `postgres.apikeys.verify` (the verified-key cache on, the channel trusted) and
// `postgres.apikeys.verify.uncached` (every verify reads PostgreSQL), each against a
// hand-written single-query check: one parameterised, prepared SELECT of the key's SHA-256
// digest in an indexed table. Round trips per verify are counted at the store (each store call is
// one round trip, see packages/postgres/src/api-keys). PostgreSQL on 127.0.0.1:5432,
// database `test` (PGHOST, PGPORT, PGDATABASE, PGUSER override), in a schema of its own,
// dropped at the end.

const OWNER = { ownerId: 'bench-owner', ownerScopes: ['notes:read'], name: 'bench' } as const;
const KEYS = 100;

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

export async function postgresApikeysBench(): Promise<Result[]> {
  const pool = new pg.Pool({
    host: process.env.PGHOST ?? '127.0.0.1',
    port: Number(process.env.PGPORT ?? 5432),
    database: process.env.PGDATABASE ?? 'test',
    user: process.env.PGUSER ?? 'postgres',
    max: 4,
  });
  const schema = `bulwark_bench_${process.pid}`;
  await migrate(pool, { schema });
  // The baseline's table: the digest, indexed, and the id.
  await pool.query('CREATE TABLE IF NOT EXISTS bulwark_bench_raw (digest text PRIMARY KEY, id text NOT NULL)');
  const results: Result[] = [];
  try {
    const cached = counting(postgresApiKeyStore({ pool, schema }));
    const keys = apiKeys({ store: cached.store });
    const created = await Promise.all(Array.from({ length: KEYS }, () => keys.create(OWNER)));
    const texts = created.map((c) => c.key);
    for (const c of created) {
      await pool.query('INSERT INTO bulwark_bench_raw (digest, id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
        bytesToHex(sha256(utf8ToBytes(c.key))),
        c.id,
      ]);
    }
    const baseline = async (i: number) => {
      const digest = bytesToHex(sha256(utf8ToBytes(texts[i % KEYS] as string)));
      // Prepared, as the store's statements are: the same parse-once advantage on both sides.
      const found = await pool.query({
        name: 'bench_raw',
        text: 'SELECT id FROM bulwark_bench_raw WHERE digest = $1',
        values: [digest],
      });
      if (found.rowCount !== 1) throw new Error('baseline key not found');
    };
    const deadline = Date.now() + 5000;
    while (!cached.store.invalidations.trusted && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    for (const key of texts) await keys.verify(key);

    let verified = 0;
    const before = cached.calls();
    const hot = await compareAsync(
      {
        bench: 'postgres.apikeys.verify',
        anchor: 'pg-select',
        ours: async (i) => {
          verified++;
          if (!(await keys.verify(texts[i % KEYS])).ok) throw new Error('bench key refused');
        },
        theirs: baseline,
      },
      { iterations: 2_000, rounds: 6 },
    );
    results.push({ ...hot, roundTripsPerVerify: Number(((cached.calls() - before) / verified).toFixed(4)) });

    const uncached = counting(postgresApiKeyStore({ pool, schema }));
    const cold = apiKeys({ store: uncached.store, cache: false });
    let coldVerified = 0;
    const coldBefore = uncached.calls();
    const miss = await compareAsync(
      {
        bench: 'postgres.apikeys.verify.uncached',
        anchor: 'pg-select',
        ours: async (i) => {
          coldVerified++;
          if (!(await cold.verify(texts[i % KEYS])).ok) throw new Error('bench key refused');
        },
        theirs: baseline,
      },
      { iterations: 1_000, rounds: 6 },
    );
    results.push({ ...miss, roundTripsPerVerify: Number(((uncached.calls() - coldBefore) / coldVerified).toFixed(4)) });
    await Promise.all([keys.close(), cold.close()]);
  } finally {
    await pool.query('DROP TABLE IF EXISTS bulwark_bench_raw');
    // The schema name is this process's, made above; DDL takes no parameters for identifiers.
    await pool.query('DROP SCHEMA IF EXISTS "'.concat(schema, '" CASCADE'));
    await pool.end();
  }
  return results;
}
