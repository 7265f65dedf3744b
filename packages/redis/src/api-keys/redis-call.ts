import { BulwarkError } from '@bulwark/core';
import type { Cluster, Redis } from 'ioredis';

// The small helpers of the revocation store (revocation/store.ts keeps its own private
// copies): a script as an ioredis command (EVALSHA, falling back to EVAL on NOSCRIPT),
// and a bound on how long a Redis call may take.

export type ScriptCall = (numberOfKeys: number, ...args: Array<string | number>) => Promise<unknown>;

export function isClient(value: unknown): value is Redis | Cluster {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as Redis).defineCommand === 'function' &&
    typeof (value as Redis).duplicate === 'function'
  );
}

export function script(client: Redis | Cluster, name: string, lua: string): ScriptCall {
  const commands = client as unknown as Record<string, ScriptCall>;
  if (typeof commands[name] !== 'function') client.defineCommand(name, { lua });
  return (commands[name] as ScriptCall).bind(client);
}

export class RedisTimeoutError extends BulwarkError {
  constructor(ms: number) {
    super('store_timeout', `Redis did not answer within ${ms} ms`);
    this.name = 'RedisTimeoutError';
  }
}

export function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RedisTimeoutError(ms)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
