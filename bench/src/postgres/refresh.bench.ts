import { migrate, postgresRefreshTokenStore } from '@bulwark/postgres';
import { type RefreshTokenStore, subjectTag } from '@bulwark/tokens';
import pg from 'pg';
import { alternate, type Result, result } from '../harness.js';
import { BASELINE_ROTATE, countStatements } from './statements.js';

/**
 * `postgres.refresh.rotate` (issue #19): rotations per second of `postgresRefreshTokenStore`
 * (one plpgsql function: row lock, reuse bookkeeping, grace window) against a hand-written
 * single statement doing the same rotation (statements.ts), both on one pool of 8
 * connections, 16 families rotated at once, alternating rounds. The store is called
 * directly (no token hashing or sealing around it), so the ratio is the store's own
 * overhead; a second row compares with the same statement prepared (named, planned once per
 * connection). Round trips per rotation are counted at the client: must be 1 on every side.
 */
const CHAINS = 16;
const ROTATIONS = 2_000;
const ROUNDS = 10;
const DAY = 86_400_000;
const GRACE = 10_000;

const b64 = (bytes: number) => Buffer.from(crypto.getRandomValues(new Uint8Array(bytes))).toString('base64url');

type Rotate = (familyId: string, presented: string, child: string, sealed: string) => Promise<boolean>;

/** `CHAINS` families, each rotated again as soon as its rotation answered; answers rotations/s. */
async function chains(store: RefreshTokenStore, run: string) {
  const live = await Promise.all(
    Array.from({ length: CHAINS }, async (_, i) => {
      const subject = `bench-${run}-${i}`;
      const tag = subjectTag(subject);
      const familyId = tag + b64(16);
      const tokenHash = b64(32);
      await store.createFamily({
        familyId,
        subject,
        subjectTag: tag,
        clientId: 'notes-spa',
        scopes: ['notes:read'],
        tokenHash,
        absoluteLifetimeMs: 30 * DAY,
        idleLifetimeMs: 7 * DAY,
        maxFamilies: 10,
      });
      return { familyId, hash: tokenHash };
    }),
  );
  const sealed = b64(120);
  return async (rotate: Rotate, total: number) => {
    let next = 0;
    const start = process.hrtime.bigint();
    await Promise.all(
      live.map(async (family) => {
        while (next < total) {
          next++;
          const child = b64(32);
          if (!(await rotate(family.familyId, family.hash, child, sealed))) throw new Error('rotation refused');
          family.hash = child;
        }
      }),
    );
    return (total * 1e9) / Number(process.hrtime.bigint() - start);
  };
}

export async function postgresRefreshBench(): Promise<Result[]> {
  const schema = `bulwark_bench_${process.pid}`;
  const pool = new pg.Pool({
    host: process.env.PGHOST ?? '127.0.0.1',
    port: Number(process.env.PGPORT ?? 5432),
    database: process.env.PGDATABASE ?? 'test',
    user: process.env.PGUSER ?? 'postgres',
    max: 8,
    // The baseline names its tables unqualified: a connection option, not SQL text.
    options: `-c search_path=${schema}`,
  });
  const statements = countStatements(pool);
  try {
    await migrate(pool, { schema });
    const store = postgresRefreshTokenStore({ pool, schema });
    const ours: Rotate = async (familyId, presentedHash, childHash, sealedChild) =>
      (await store.rotate({ familyId, presentedHash, childHash, sealedChild, graceMs: GRACE, idleLifetimeMs: 7 * DAY }))
        .outcome === 'rotated';
    const theirs: Rotate = async (familyId, presented, child, sealed) =>
      ((await pool.query(BASELINE_ROTATE, [familyId, presented, child, sealed, GRACE, 7 * DAY])).rowCount ?? 0) === 1;
    // The same statement prepared once per connection (a named statement: parsed and planned
    // once, as plpgsql caches the plans of a function's statements).
    const prepared: Rotate = async (familyId, presented, child, sealed) =>
      ((
        await pool.query({
          name: 'bench-rotate',
          text: BASELINE_ROTATE,
          values: [familyId, presented, child, sealed, GRACE, 7 * DAY],
        })
      ).rowCount ?? 0) === 1;
    const [oursChains, theirsChains, preparedChains] = [
      await chains(store, `${schema}-ours`),
      await chains(store, `${schema}-theirs`),
      await chains(store, `${schema}-prepared`),
    ];
    // Warm up both (JIT, plan caches, connections).
    await oursChains(ours, ROTATIONS);
    await theirsChains(theirs, ROTATIONS);
    await preparedChains(prepared, ROTATIONS);
    const perRotation = async (side: Rotate, run: typeof oursChains) => {
      const before = statements();
      await run(side, 500);
      return (statements() - before) / 500;
    };
    const roundTrips = {
      ours: await perRotation(ours, oursChains),
      baseline: await perRotation(theirs, theirsChains),
      prepared: await perRotation(prepared, preparedChains),
    };
    const m = await alternate(
      ROUNDS,
      () => oursChains(ours, ROTATIONS),
      () => theirsChains(theirs, ROTATIONS),
    );
    const againstPrepared = await alternate(
      ROUNDS,
      () => oursChains(ours, ROTATIONS),
      () => preparedChains(prepared, ROTATIONS),
    );
    console.log(
      `postgres.refresh.rotate: ${roundTrips.ours} round trip(s) per rotation (baseline ${roundTrips.baseline}, prepared ${roundTrips.prepared})`,
    );
    if (roundTrips.ours !== 1) console.error('!!! a rotation must be exactly one round trip');
    return [
      {
        ...result('postgres.refresh.rotate', 'hand-written single statement', m),
        roundTripsPerRotation: roundTrips.ours,
        baselineRoundTrips: roundTrips.baseline,
        chains: CHAINS,
        poolSize: 8,
      },
      {
        ...result('postgres.refresh.rotate.prepared', 'the same statement, prepared', againstPrepared),
        roundTripsPerRotation: roundTrips.ours,
        baselineRoundTrips: roundTrips.prepared,
        chains: CHAINS,
        poolSize: 8,
      },
    ];
  } finally {
    // The bench's own schema (a name made of the pid), quoted by pg's identifier escape.
    await pool.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`).catch(() => {});
    await pool.end();
  }
}
