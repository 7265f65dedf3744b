import {
  checkHasherOptions,
  createPasswordHasher,
  type PasswordHasher,
  type PasswordHasherOptions,
} from '../hasher.js';
import { nodeArgon2Engine } from './native-engine.js';

export * from '../index.js';
export { nodeArgon2Engine } from './native-engine.js';

/**
 * `passwordHasher` for Node (and Bun and Deno): the same hasher as the main entry's, with
 * the native engine as its default, so a hash runs on a libuv thread and never on the
 * event loop. At least OWASP's Argon2id parameters (m = 19 MiB, t = 2, p = 1); at most
 * `maxConcurrent` (2) hashes computing and `maxQueued` (32) waiting, beyond which calls
 * reject with `ServiceBusyError` (a 503 with `Retry-After` through every adapter).
 *
 * @example
 * ```ts
 * const hasher = passwordHasher();
 * const stored = await hasher.hash('correct horse battery staple');
 *
 * // At login: the same cost whether or not the account exists.
 * async function login(user: { passwordHash: string } | undefined, password: string) {
 *   if (user === undefined) return hasher.verifyDummy(password);
 *   const ok = await hasher.verify(user.passwordHash, password);
 *   if (ok && hasher.needsRehash(user.passwordHash)) user.passwordHash = await hasher.hash(password);
 *   return ok;
 * }
 * ```
 */
export function passwordHasher(options: PasswordHasherOptions = {}): PasswordHasher {
  checkHasherOptions(options);
  return createPasswordHasher(options, options.engine ?? nodeArgon2Engine());
}
