import { BulwarkError, ConfigError, checkOptions } from '@bulwark/core';
import {
  type KeyringRecord,
  type KeyringSnapshot,
  type KeyringStore,
  SIGNING_ALGORITHMS,
  type SigningAlgorithm,
} from '@bulwark/tokens';
import type { Cluster, Redis } from 'ioredis';
import { KEYRING_CREATE_SCRIPT, KEYRING_LOAD_SCRIPT } from './lua.js';

export interface RedisKeyringStoreOptions {
  /** Key prefix. Default `bulwark:keyring`. */
  readonly prefix?: string | undefined;
  /** The keyring's name, for several keyrings on one Redis (it is the hash tag). Default `default`. */
  readonly name?: string | undefined;
}

const LOAD_COMMAND = 'bulwarkKeyringLoad';
const CREATE_COMMAND = 'bulwarkKeyringCreate';
/** What a field may hold between its spaces: the keyring's kids, algs and sealed values never hold a space. */
const TOKEN = /^[A-Za-z0-9._-]+$/;

type ScriptCall = (numberOfKeys: number, ...args: Array<string | number>) => Promise<unknown>;

function recordsOf(fields: readonly string[]): KeyringRecord[] {
  const records: KeyringRecord[] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const match = /^g:(\d+)$/.exec(fields[i] as string);
    if (match === null) continue;
    const [createdAt, activatesAt, kid, alg, sealed, ...rest] = (fields[i + 1] as string).split(' ');
    if (rest.length > 0 || sealed === undefined || !SIGNING_ALGORITHMS.includes(alg as SigningAlgorithm)) {
      throw new BulwarkError('store_unavailable', `the keyring record ${fields[i]} in Redis is malformed`);
    }
    records.push(
      Object.freeze({
        generation: Number(match[1]),
        kid: kid as string,
        alg: alg as SigningAlgorithm,
        createdAt: Number(createdAt),
        activatesAt: Number(activatesAt),
        sealed,
      }),
    );
  }
  return records.sort((a, b) => a.generation - b.generation);
}

/**
 * A keyring store on Redis (an ioredis `Redis` or `Cluster` client, which you create and
 * own). One hash per keyring, under a hash tag; each operation is one Lua script, one round
 * trip (`EVALSHA`, falling back to `EVAL` on `NOSCRIPT`); times are Redis `TIME`, so
 * processes with skewed clocks agree on when a key signs. Creating a key is a
 * compare-and-set on the generation: exactly one process creates each key. Records hold
 * private keys sealed by the keyring (AES-256-GCM), never in the clear; they have no TTL
 * (retired keys are deleted when the next key is created).
 *
 * @example
 * ```ts
 * import { keyring } from '@bulwark/tokens';
 * import Redis from 'ioredis';
 *
 * const keys = keyring({
 *   store: redisKeyringStore(new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379')),
 *   keyEncryptionKey: Buffer.from(process.env.KEY_ENCRYPTION_KEY ?? '', 'base64url'),
 * });
 * ```
 */
export function redisKeyringStore(client: Redis | Cluster, options: RedisKeyringStoreOptions = {}): KeyringStore {
  if (client === null || typeof client !== 'object' || typeof (client as Redis).defineCommand !== 'function') {
    throw new ConfigError('client', 'expected an ioredis Redis or Cluster client');
  }
  checkOptions(options, ['prefix', 'name']);
  const prefix = options.prefix ?? 'bulwark:keyring';
  const name = options.name ?? 'default';
  if (/[{}\s]/.test(prefix)) throw new ConfigError('prefix', 'must not contain braces or spaces');
  if (!/^[A-Za-z0-9._:-]{1,100}$/.test(name)) throw new ConfigError('name', 'expected 1 to 100 of [A-Za-z0-9._:-]');
  const key = `${prefix}:{${name}}`;
  const commands = client as unknown as Record<string, ScriptCall>;
  if (typeof commands[LOAD_COMMAND] !== 'function') client.defineCommand(LOAD_COMMAND, { lua: KEYRING_LOAD_SCRIPT });
  if (typeof commands[CREATE_COMMAND] !== 'function')
    client.defineCommand(CREATE_COMMAND, { lua: KEYRING_CREATE_SCRIPT });
  const load = (commands[LOAD_COMMAND] as ScriptCall).bind(client);
  const create = (commands[CREATE_COMMAND] as ScriptCall).bind(client);
  const time = (now: number | undefined): string => {
    if (now === undefined) return '';
    if (!Number.isSafeInteger(now) || now < 0) throw new BulwarkError('invalid_argument', 'now is epoch ms');
    return String(now);
  };

  return {
    async load(now): Promise<KeyringSnapshot> {
      const [at, fields] = (await load(1, key, time(now))) as [number | string, string[]];
      return { now: Number(at), records: recordsOf(fields) };
    },
    async create(record, createOptions) {
      const { generation, kid, alg, sealed } = record;
      const { activateAfter, dropBelow } = createOptions;
      if (!Number.isSafeInteger(generation) || generation < 1)
        throw new BulwarkError('invalid_argument', 'generation is a positive integer');
      if (!Number.isSafeInteger(activateAfter) || activateAfter < 0 || !Number.isSafeInteger(dropBelow))
        throw new BulwarkError('invalid_argument', 'activateAfter and dropBelow are integers');
      if (!TOKEN.test(kid) || !TOKEN.test(sealed) || !SIGNING_ALGORITHMS.includes(alg))
        throw new BulwarkError('invalid_argument', 'kid, alg and sealed are single tokens of [A-Za-z0-9._-]');
      const [at, created, fields] = (await create(
        1,
        key,
        time(createOptions.now),
        generation,
        activateAfter,
        dropBelow,
        kid,
        alg,
        sealed,
      )) as [number | string, number | string, string[]];
      return { now: Number(at), created: Number(created) === 1, records: recordsOf(fields) };
    },
  };
}
