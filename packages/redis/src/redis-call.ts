import { BulwarkError } from '@bulwark/core';
import type { Cluster, Redis } from 'ioredis';

// The small helpers every store of this package shares: a script as an ioredis command
// (EVALSHA, falling back to EVAL on NOSCRIPT), a bound on how long a Redis call may take,
// and the release of a store's subscriber connection at close.

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

/**
 * Releases the subscriber connection of a store with a notification channel (revocations,
 * API keys) at close. One the store duplicated for itself is quit (its 'error' listener
 * stays, so a connection still failing as it closes logs nothing); one the caller lent is
 * only unsubscribed from the store's channels and given back.
 */
export async function releaseSubscriber(
  subscriber: Redis | Cluster,
  own: boolean,
  channels: readonly string[],
  onError: () => void,
  timeout: number,
): Promise<void> {
  if (own) {
    try {
      if (subscriber.status === 'ready') await within(subscriber.quit(), timeout);
      else subscriber.disconnect();
    } catch {
      subscriber.disconnect();
    }
    return;
  }
  subscriber.off('error', onError);
  await within(subscriber.unsubscribe(...channels), timeout).catch(() => {});
}
