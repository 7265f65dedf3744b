import { BulwarkError, ConfigError } from '@bulwark/core';
import {
  type KeyringRecord,
  type KeyringSnapshot,
  type KeyringStore,
  SIGNING_ALGORITHMS,
  type SigningAlgorithm,
} from '@bulwark/tokens';
import { type PostgresStoreOptions, resolveStoreOptions } from '../options.js';
import { runQuery } from '../query.js';
import { bindStatements } from '../sql.js';
import { KEYRING_STATEMENTS } from './statements.js';

export interface PostgresKeyringStoreOptions extends PostgresStoreOptions {
  /** The keyring's name, for several keyrings in one schema. Default `default`. */
  readonly name?: string | undefined;
}

/** The characters of a kid and a sealed value (the keyring's base64url and dots): refused otherwise. */
const TOKEN = /^[A-Za-z0-9._-]{1,16384}$/;
const MAX_DROP_BELOW = 2 ** 31 - 1;

type Row = [number, string, string, string | number, string | number, string];

function recordsOf(rows: readonly Row[]): KeyringRecord[] {
  return rows.map(([generation, kid, alg, createdAt, activatesAt, sealed]) => {
    if (!SIGNING_ALGORITHMS.includes(alg as SigningAlgorithm)) {
      throw new BulwarkError('store_unavailable', `the keyring record ${generation} in PostgreSQL is malformed`);
    }
    return Object.freeze({
      generation,
      kid,
      alg: alg as SigningAlgorithm,
      createdAt: Number(createdAt),
      activatesAt: Number(activatesAt),
      sealed,
    });
  });
}

function timeOf(now: number | undefined): number | null {
  if (now === undefined) return null;
  if (!Number.isSafeInteger(now) || now < 0) throw new BulwarkError('invalid_argument', 'now is epoch ms');
  return now;
}

/**
 * A keyring store on PostgreSQL: one row per keyring (the highest generation ever
 * created) and one per key. `load` is one statement; `create`, the compare-and-set on the
 * generation, is one call of a function the migrations install (`keyring_create`): it locks
 * the keyring's row, so of many processes that decide at once that a key is due, exactly
 * one creates it and every other one gets the winner's record back in the same answer.
 * Times are the database's clock (unless the call gives one), so processes with skewed
 * clocks agree on when a key signs. Private keys arrive sealed by the keyring (AES-256-GCM
 * under `keyEncryptionKey`) and are stored exactly so, never in the clear. Run
 * `migrate(pool)` first.
 *
 * @example
 * ```ts
 * import { migrate, postgresKeyringStore } from '@bulwark/postgres';
 * import { keyring } from '@bulwark/tokens';
 * import pg from 'pg';
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * await migrate(pool);
 * const keys = keyring({
 *   store: postgresKeyringStore({ pool }),
 *   keyEncryptionKey: Buffer.from(process.env.KEY_ENCRYPTION_KEY ?? '', 'base64url'),
 * });
 * ```
 */
export function postgresKeyringStore(options: PostgresKeyringStoreOptions): KeyringStore {
  const ctx = resolveStoreOptions(options, ['name']);
  const name = options.name ?? 'default';
  if (typeof name !== 'string' || !/^[A-Za-z0-9._:-]{1,100}$/.test(name)) {
    throw new ConfigError('name', 'expected 1 to 100 of [A-Za-z0-9._:-]');
  }
  const sql = bindStatements(ctx.schema, KEYRING_STATEMENTS);

  return {
    async load(now): Promise<KeyringSnapshot> {
      const result = await runQuery<{ now: string; records: Row[] }>(ctx, 'keyring.load', sql.load, [
        name,
        timeOf(now),
      ]);
      const row = result.rows[0] as { now: string; records: Row[] };
      return { now: Number(row.now), records: recordsOf(row.records) };
    },
    async create(record, createOptions) {
      const { generation, kid, alg, sealed } = record;
      const { activateAfter, dropBelow } = createOptions;
      if (!Number.isSafeInteger(generation) || generation < 1 || generation > MAX_DROP_BELOW)
        throw new BulwarkError('invalid_argument', 'generation is a positive integer');
      if (!Number.isSafeInteger(activateAfter) || activateAfter < 0 || !Number.isSafeInteger(dropBelow))
        throw new BulwarkError('invalid_argument', 'activateAfter and dropBelow are integers');
      if (typeof kid !== 'string' || !TOKEN.test(kid) || typeof sealed !== 'string' || !TOKEN.test(sealed))
        throw new BulwarkError('invalid_argument', 'kid and sealed are single tokens of [A-Za-z0-9._-]');
      if (!SIGNING_ALGORITHMS.includes(alg)) throw new BulwarkError('invalid_argument', 'alg is a signing algorithm');
      const result = await runQuery<{ now: string; created: boolean; records: Row[] }>(
        ctx,
        'keyring.create',
        sql.create,
        [
          name,
          timeOf(createOptions.now),
          generation,
          activateAfter,
          Math.max(-MAX_DROP_BELOW, Math.min(MAX_DROP_BELOW, dropBelow)),
          kid,
          alg,
          sealed,
        ],
      );
      const row = result.rows[0] as { now: string; created: boolean; records: Row[] };
      return { now: Number(row.now), created: row.created, records: recordsOf(row.records) };
    },
  };
}
