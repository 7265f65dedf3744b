import type { Argon2Params } from './phc.js';

/** The inputs of one Argon2id computation. */
export interface Argon2Input extends Argon2Params {
  /** The password, UTF-8 of its NFKC form. */
  readonly password: Uint8Array;
  readonly salt: Uint8Array;
  /** Tag length in bytes. */
  readonly hashLength: number;
}

/**
 * The port an Argon2id implementation fills: raw Argon2id (version 0x13), tag out. The
 * hasher does the PHC strings, salts, comparison and bounds; an engine only computes.
 * Bulwark ships two: `pureArgon2Engine()` (portable, runs on the calling thread) and,
 * from `@bulwark/passwords/node`, `nodeArgon2Engine()` (native, off the event loop).
 */
export interface Argon2Engine {
  /** A short name for reports and benchmarks. */
  readonly name: string;
  /** True when a computation runs off the calling thread (the event loop keeps turning). */
  readonly offThread: boolean;
  argon2id(input: Argon2Input): Promise<Uint8Array>;
}
