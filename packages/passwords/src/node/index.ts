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
 * `maxConcurrent` hashes computing (the cores less one, between 1 and 2) and `maxQueued`
 * (32) waiting, beyond which calls reject with `ServiceBusyError` (code `service_busy`, a 503).
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
  const engine = options.engine ?? nodeArgon2Engine();
  return createPasswordHasher(options, engine, engine.offThread ? defaultConcurrency() : 1);
}

/**
 * One core stays for the event loop (on 2 cores, two hashing threads left it waiting for
 * a time slice: loop delay p99 over 10 ms while eight logins hashed, see
 * docs/performance.md), and at most 2 of the libuv pool's 4 threads go to hashing. The
 * core count comes from `navigator.hardwareConcurrency` (Node 21+, Bun, Deno), not from
 * `node:os`, so that this package imports no Node module; where the runtime does not say
 * (Node 20), 1.
 */
function defaultConcurrency(): number {
  const cores = (globalThis as { navigator?: { hardwareConcurrency?: unknown } }).navigator?.hardwareConcurrency;
  if (typeof cores !== 'number' || !Number.isInteger(cores)) return 1;
  return Math.min(2, Math.max(1, cores - 1));
}
