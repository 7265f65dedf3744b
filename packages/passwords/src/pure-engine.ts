import { ConfigError, checkOptions } from '@bulwark/core';
import { argon2idAsync } from '@noble/hashes/argon2.js';
import type { Argon2Engine, Argon2Input } from './engine.js';

/** Options of {@link pureArgon2Engine}. */
export interface PureArgon2EngineOptions {
  /**
   * Milliseconds of hashing between two yields to the event loop (default 5). Smaller
   * yields more often and hashes a little slower; it never makes a hash non-blocking.
   */
  readonly yieldEvery?: number | undefined;
}

/**
 * Argon2id in pure JavaScript (@noble/hashes, audited, no dependencies), on the calling
 * thread: it runs on every runtime (Node, Bun, Deno, Workers, browsers), but it computes
 * on the event loop, yielding every `yieldEvery` ms, and takes about 20 times as long as
 * the native engine. On Node, use `@bulwark/passwords/node` instead.
 *
 * @example
 * ```ts
 * // On a runtime without native addons (Workers, Deno Deploy):
 * const hasher = passwordHasher({ engine: pureArgon2Engine(), maxConcurrent: 1 });
 * const stored = await hasher.hash('correct horse battery staple');
 * ```
 */
export function pureArgon2Engine(options: PureArgon2EngineOptions = {}): Argon2Engine {
  checkOptions(options, ['yieldEvery']);
  const asyncTick = options.yieldEvery ?? 5;
  if (!Number.isFinite(asyncTick) || asyncTick < 1 || asyncTick > 100)
    throw new ConfigError('yieldEvery', 'must be between 1 and 100 milliseconds');
  return {
    name: 'noble',
    offThread: false,
    argon2id(input: Argon2Input): Promise<Uint8Array> {
      return argon2idAsync(input.password, input.salt, {
        m: input.memory,
        t: input.passes,
        p: input.parallelism,
        dkLen: input.hashLength,
        asyncTick,
      });
    },
  };
}
