import { BulwarkError, ConfigError, checkOptions } from '@bulwark/core';
import { constantTimeEqual } from './constant-time.js';
import type { Argon2Engine } from './engine.js';
import { createGate } from './gate.js';
import { type Argon2idHash, formatArgon2idPhc, parseArgon2idPhc } from './phc.js';

/** OWASP Password Storage Cheat Sheet's Argon2id minimum: m = 19 MiB, t = 2, p = 1. */
export const OWASP_ARGON2ID = Object.freeze({ memory: 19_456, passes: 2, parallelism: 1 });

const SALT_BYTES = 16;
const HASH_BYTES = 32;
/** Longer input is refused: no password is this long, and truncating (bcrypt's 72 bytes) is never an option. */
export const MAX_PASSWORD_LENGTH = 4096;
/** A stored hash claiming more than this times the configured cost is refused unhashed (a tampered row cannot make one login allocate gigabytes). */
const MAX_STORED_COST_FACTOR = 8;

/** Options of `passwordHasher`. */
export interface PasswordHasherOptions {
  /** The Argon2id implementation. From `@bulwark/passwords/node`: the native one, off the event loop. */
  readonly engine?: Argon2Engine | undefined;
  /** Memory in KiB (default and minimum 19456, OWASP's 19 MiB). */
  readonly memory?: number | undefined;
  /** Passes (default and minimum 2). */
  readonly passes?: number | undefined;
  /** Lanes (default 1, at most 16). */
  readonly parallelism?: number | undefined;
  /**
   * Hashes computing at once. Memory in use is `memory` x this. Default: on
   * `@bulwark/passwords/node`, the cores less one, at least 1 and at most 2 (each hash
   * takes a libuv thread, and the pool, 4 threads unless `UV_THREADPOOL_SIZE` says
   * otherwise, also serves WebCrypto, `fs` and `dns.lookup`; and one core stays for the
   * event loop); 1 for an engine that computes on the calling thread; 2 otherwise.
   */
  readonly maxConcurrent?: number | undefined;
  /** Hashes waiting for a slot (default 32); one more is refused with `ServiceBusyError`. */
  readonly maxQueued?: number | undefined;
  /** Seconds a refused caller is told to wait (`ServiceBusyError.retryAfter`, default 1). */
  readonly retryAfter?: number | undefined;
}

/** What `passwordHasher` returns. */
export interface PasswordHasher {
  /** Hashes a password (NFKC-normalised) to a PHC string with a fresh 16-byte salt. */
  hash(password: string): Promise<string>;
  /**
   * True when `password` matches the PHC string `hash`. A malformed, foreign or absurdly
   * expensive `hash` and a non-string or over-long `password` answer `false`; it rejects
   * only with `ServiceBusyError` (at capacity) or an engine failure, never on data.
   */
  verify(hash: string, password: string): Promise<boolean>;
  /** True when `hash` is malformed or its parameters are below this hasher's: hash again after a successful login. */
  needsRehash(hash: string): boolean;
  /**
   * Verifies `password` against a dummy hash of the current parameters and answers
   * `false`: call it for an unknown account, so that it costs what a known one does.
   */
  verifyDummy(password: string): Promise<false>;
  /** The parameters new hashes get. */
  readonly params: { readonly memory: number; readonly passes: number; readonly parallelism: number };
  /** The bound in force: hashes computing at once and waiting. */
  readonly limits: { readonly maxConcurrent: number; readonly maxQueued: number };
}

function integerOption(
  name: string,
  value: number | undefined,
  fallback: number,
  min: number,
  max: number,
  why: string,
): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value)) throw new ConfigError(name, 'must be an integer');
  if (value < min) throw new ConfigError(name, why);
  if (value > max) throw new ConfigError(name, `must be at most ${max}`);
  return value;
}

const encoder = new TextEncoder();

function passwordBytes(password: string): Uint8Array {
  return encoder.encode(password.normalize('NFKC'));
}

function randomBytes(length: number): Uint8Array {
  return globalThis.crypto.getRandomValues(new Uint8Array(length));
}

/** The shared implementation behind both entries' `passwordHasher`. */
export function createPasswordHasher(
  options: PasswordHasherOptions,
  engine: Argon2Engine,
  defaultConcurrency: number = engine.offThread ? 2 : 1,
): PasswordHasher {
  const memory = integerOption(
    'memory',
    options.memory,
    OWASP_ARGON2ID.memory,
    OWASP_ARGON2ID.memory,
    4 * 1024 * 1024,
    `must be at least ${OWASP_ARGON2ID.memory} KiB (OWASP's 19 MiB minimum for Argon2id)`,
  );
  const passes = integerOption(
    'passes',
    options.passes,
    OWASP_ARGON2ID.passes,
    OWASP_ARGON2ID.passes,
    64,
    `must be at least ${OWASP_ARGON2ID.passes} (OWASP's minimum for Argon2id at 19 MiB)`,
  );
  const parallelism = integerOption('parallelism', options.parallelism, 1, 1, 16, 'must be at least 1');
  const maxConcurrent = integerOption(
    'maxConcurrent',
    options.maxConcurrent,
    defaultConcurrency,
    1,
    1024,
    'must be at least 1',
  );
  const maxQueued = integerOption('maxQueued', options.maxQueued, 32, 0, 100_000, 'must be at least 0');
  const retryAfter = integerOption('retryAfter', options.retryAfter, 1, 1, 3600, 'must be at least 1 second');
  const gate = createGate(maxConcurrent, maxQueued, retryAfter);

  const compute = (password: string, params: Omit<Argon2idHash, 'hash'>, hashLength: number) =>
    gate.run(() => engine.argon2id({ ...params, password: passwordBytes(password), hashLength }));

  const usable = (password: unknown): password is string =>
    typeof password === 'string' && password.length <= MAX_PASSWORD_LENGTH;

  async function verify(hash: string, password: string): Promise<boolean> {
    if (!usable(password)) return false;
    const stored = parseArgon2idPhc(hash);
    if (stored === undefined) return false;
    if (stored.memory > memory * MAX_STORED_COST_FACTOR || stored.passes > passes * MAX_STORED_COST_FACTOR)
      return false;
    const computed = await compute(password, stored, stored.hash.length);
    return constantTimeEqual(computed, stored.hash);
  }

  async function hash(password: string): Promise<string> {
    if (typeof password !== 'string') throw new BulwarkError('invalid_argument', 'password must be a string');
    if (password.length > MAX_PASSWORD_LENGTH)
      throw new BulwarkError('invalid_argument', `password is longer than ${MAX_PASSWORD_LENGTH} characters`);
    const params = { memory, passes, parallelism, salt: randomBytes(SALT_BYTES) };
    return formatArgon2idPhc({ ...params, hash: await compute(password, params, HASH_BYTES) });
  }

  // Verifying needs only a well-formed hash of the current parameters, not a real one: a
  // random tag under a random salt costs exactly one Argon2id computation and never matches.
  const dummy = formatArgon2idPhc({
    memory,
    passes,
    parallelism,
    salt: randomBytes(SALT_BYTES),
    hash: randomBytes(HASH_BYTES),
  });

  return {
    params: Object.freeze({ memory, passes, parallelism }),
    limits: Object.freeze({ maxConcurrent, maxQueued }),
    hash,
    verify,
    needsRehash(stored: string): boolean {
      const parsed = parseArgon2idPhc(stored);
      if (parsed === undefined) return true;
      return (
        parsed.memory < memory ||
        parsed.passes < passes ||
        parsed.parallelism < parallelism ||
        parsed.salt.length < SALT_BYTES ||
        parsed.hash.length < HASH_BYTES
      );
    },
    async verifyDummy(password: string): Promise<false> {
      await verify(dummy, usable(password) ? password : '');
      return false;
    },
  };
}

/** Checks the hasher's option names (shared by both entries). */
export function checkHasherOptions(options: PasswordHasherOptions): void {
  checkOptions(options, ['engine', 'memory', 'passes', 'parallelism', 'maxConcurrent', 'maxQueued', 'retryAfter']);
}
