import { type Algorithm, hashRaw } from '@node-rs/argon2';
import type { Argon2Engine, Argon2Input } from '../engine.js';

/**
 * Argon2id through @node-rs/argon2 (the RustCrypto `argon2` crate, prebuilt N-API
 * binaries from the npm registry, no compiler at install): each hash runs on a libuv
 * worker thread, so the event loop keeps serving requests while it computes.
 *
 * @example
 * ```ts
 * const hasher = passwordHasher({ engine: nodeArgon2Engine(), maxConcurrent: 2 });
 * const stored = await hasher.hash('correct horse battery staple');
 * ```
 */
export function nodeArgon2Engine(): Argon2Engine {
  return {
    name: '@node-rs/argon2',
    offThread: true,
    async argon2id(input: Argon2Input): Promise<Uint8Array> {
      const tag = await hashRaw(input.password, {
        // `Algorithm` is a const enum, which isolated modules cannot read: 2 is Argon2id.
        algorithm: 2 as Algorithm,
        memoryCost: input.memory,
        timeCost: input.passes,
        parallelism: input.parallelism,
        outputLen: input.hashLength,
        salt: input.salt,
      });
      return new Uint8Array(tag.buffer, tag.byteOffset, tag.byteLength);
    },
  };
}
