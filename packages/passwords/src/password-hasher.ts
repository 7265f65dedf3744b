import { ConfigError } from '@bulwark/core';
import { checkHasherOptions, createPasswordHasher, type PasswordHasher, type PasswordHasherOptions } from './hasher.js';
import { pureArgon2Engine } from './pure-engine.js';

function onNodeLikeRuntime(): boolean {
  const process = (globalThis as { process?: { versions?: { node?: unknown } } }).process;
  return typeof process?.versions?.node === 'string';
}

/**
 * Argon2id password hashing with PHC strings (at least OWASP's m = 19 MiB, t = 2, p = 1;
 * lower is a ConfigError), a 16-byte random salt, constant-time verification,
 * `needsRehash`, `verifyDummy` for unknown accounts, and a bound on hashes in flight.
 *
 * This entry is pure (no `node:` import). Its default engine is the portable pure-JS one,
 * which hashes on the calling thread; on Node (and Bun and Deno, which set
 * `process.versions.node`) that would stall every request for the length of a hash, so
 * there it is refused unless chosen explicitly: import `passwordHasher` from
 * `@bulwark/passwords/node`, whose default engine is native and off the event loop.
 *
 * @example
 * ```ts
 * // Workers, Deno Deploy, browsers: the portable engine.
 * const hasher = passwordHasher({ engine: pureArgon2Engine() });
 * const stored = await hasher.hash('correct horse battery staple');
 * await hasher.verify(stored, 'correct horse battery staple'); // true
 * hasher.needsRehash(stored); // false
 * ```
 */
export function passwordHasher(options: PasswordHasherOptions = {}): PasswordHasher {
  checkHasherOptions(options);
  if (options.engine === undefined && onNodeLikeRuntime()) {
    throw new ConfigError(
      'engine',
      "the default pure-JS engine would hash on the event loop; on Node import passwordHasher from '@bulwark/passwords/node' (native, off the event loop), or pass engine: pureArgon2Engine() to accept blocking",
    );
  }
  return createPasswordHasher(options, options.engine ?? pureArgon2Engine());
}
