import type {
  CreateFamilyInput,
  CreateFamilyResult,
  RefreshTokenStore,
  RotateInput,
  RotateResult,
} from '@bulwark/tokens';
import { subjectTag } from '@bulwark/tokens';
import { expect } from 'vitest';

/** A store under test, with what the suite may do to it beyond the port. */
export interface RefreshStoreSubject {
  readonly store: RefreshTokenStore;
  close(): Promise<void>;
  /**
   * Moves the store's clock forward by `ms` (a store built on a manual clock). A store
   * that keeps real time (Redis `TIME`, PostgreSQL `now()`) leaves it out: the timing
   * cases then wait for real, with windows of `windowMs`, and skip their exact-boundary
   * checks.
   */
  advance?(ms: number): void | Promise<void>;
  /**
   * Runs every one of `inputs` at once from a separate OS process on the same store
   * (namespace, database); resolves with its answers, in the order of `inputs`. The race
   * cases then split their concurrent rotations between this process and that one.
   */
  rotateInOtherProcess?(inputs: readonly RotateInput[]): Promise<readonly RotateResult[]>;
}

export interface RefreshConformanceOptions {
  /**
   * The grace window and short lifetimes (ms) of the timing cases on a store whose clock
   * the suite cannot move (no `advance`): long enough for a few round trips on a loaded
   * machine. Default 300.
   */
  readonly windowMs?: number;
}

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
/** A grace window no case outlives (the factory's maximum): a race case is never a timing case. */
export const LONG_GRACE = 60_000;
/** Scheduling slack over a real-time bound: two timer turns on a shared 2-core machine. */
export const SLACK_MS = 400;

let sequence = 0;
export const unique = (what: string) => `${what}-${process.pid}-${Date.now().toString(36)}-${++sequence}`;
export const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

const randomB64 = (bytes: number) => Buffer.from(crypto.getRandomValues(new Uint8Array(bytes))).toString('base64url');
/** A hash as the factory makes them: base64url of 32 bytes. */
export const newHash = () => randomB64(32);
/** An opaque sealed child, as long as a real one. */
export const newSealed = () => `${randomB64(12)}${randomB64(100)}`;
/** A family id of `subject` (or of another subject's `tag`): the tag, then 128 random bits. */
export const familyIdOf = (tag: string) => tag + randomB64(16);

export async function withSubject(
  fresh: () => Promise<RefreshStoreSubject>,
  body: (subject: RefreshStoreSubject) => Promise<void>,
): Promise<void> {
  const subject = await fresh();
  try {
    await body(subject);
  } finally {
    await subject.close();
  }
}

/** A family as a case holds it: its creation input and answer, and the hash of its live token. */
export interface Family {
  readonly input: CreateFamilyInput;
  readonly created: CreateFamilyResult;
  readonly familyId: string;
  readonly subject: string;
  readonly tag: string;
  /** The hash of the family's first token. */
  readonly first: string;
}

export async function createFamily(
  store: RefreshTokenStore,
  overrides: Partial<CreateFamilyInput> = {},
): Promise<Family> {
  const subject = overrides.subject ?? unique('user');
  const tag = overrides.subjectTag ?? subjectTag(subject);
  const input: CreateFamilyInput = {
    familyId: familyIdOf(tag),
    subject,
    subjectTag: tag,
    clientId: 'notes-api',
    scopes: ['notes:read', 'notes:write'],
    tokenHash: newHash(),
    absoluteLifetimeMs: 30 * DAY,
    idleLifetimeMs: 7 * DAY,
    maxFamilies: 10,
    ...overrides,
  };
  const created = await store.createFamily(input);
  return { input, created, familyId: input.familyId, subject, tag, first: input.tokenHash };
}

/** One rotation attempt with a fresh child; answers what the store said and the child offered. */
export interface Attempt {
  readonly input: RotateInput;
  readonly result: RotateResult;
}

export function rotateInput(
  familyId: string,
  presentedHash: string,
  graceMs = 0,
  idleLifetimeMs = 7 * DAY,
): RotateInput {
  return { familyId, presentedHash, childHash: newHash(), sealedChild: newSealed(), graceMs, idleLifetimeMs };
}

export async function attempt(
  store: RefreshTokenStore,
  familyId: string,
  presentedHash: string,
  graceMs = 0,
  idleLifetimeMs = 7 * DAY,
): Promise<Attempt> {
  const input = rotateInput(familyId, presentedHash, graceMs, idleLifetimeMs);
  return { input, result: await store.rotate(input) };
}

/** Rotates and expects `rotated`: answers the child's hash. */
export async function rotated(
  store: RefreshTokenStore,
  familyId: string,
  presentedHash: string,
  graceMs = 0,
  idleLifetimeMs = 7 * DAY,
): Promise<Attempt & { readonly child: string }> {
  const a = await attempt(store, familyId, presentedHash, graceMs, idleLifetimeMs);
  expect(a.result.outcome, 'a live token rotates').toBe('rotated');
  return { ...a, child: a.input.childHash };
}

export const outcomeOf = (result: RotateResult) =>
  result.outcome === 'invalid' ? `invalid/${result.reason}` : result.outcome;

/** Waits `ms` on the store's clock: moved by hand when the subject can, real time otherwise. */
export async function elapse(subject: RefreshStoreSubject, ms: number): Promise<void> {
  if (subject.advance !== undefined) await subject.advance(ms);
  else await pause(ms);
}
