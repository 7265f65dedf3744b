import { canonicalIpv4Value } from '@bulwark/core';
import {
  ALGORITHMS,
  type Algorithm,
  type ConsumeResult,
  type LimitCheck,
  type RateLimitStore,
} from '@bulwark/ratelimit';
import fc from 'fast-check';
import { expect } from 'vitest';
import { referenceRateLimitStore } from './reference-ratelimit-store.js';

/** One limit of a generated sequence: each becomes its own scope, `diff:<index>`. */
export interface SequenceLimit {
  readonly limit: number;
  readonly windowMs: number;
  readonly blockMs: number;
}

/** One operation of a generated sequence, after the clock has moved by `dt` ms. */
export interface SequenceOperation {
  readonly dt: number;
  readonly kind: 'consume' | 'peek' | 'refund' | 'reset';
  /** Which of the sequence's limits the call names (indexes, in that order, never empty). */
  readonly limits: readonly number[];
  /** Which of the sequence's two client keys: 0 a string key, 1 an IPv4 address. */
  readonly key: 0 | 1;
  readonly cost: number;
  /** Whether the checks carry the key's `ipv4` number, as a policy's `ip` limits do. */
  readonly withNumber: boolean;
}

/** A generated sequence: one algorithm (a policy has one), up to three limits, two keys. */
export interface RateLimitSequence {
  readonly algorithm: Algorithm;
  /** Where the clock starts (ms), so windows begin anywhere relative to the sequence. */
  readonly start: number;
  readonly limits: readonly SequenceLimit[];
  readonly operations: readonly SequenceOperation[];
}

const T0 = Date.UTC(2030, 0, 1);

/**
 * Sequences of rate-limit store operations: consume with several limits and costs, peek,
 * refund, reset, and time that stands still, creeps, or jumps past every window and block
 * (so keys expire). Every algorithm; limits with and without a block.
 */
export function rateLimitSequence(options: { maxOperations?: number } = {}): fc.Arbitrary<RateLimitSequence> {
  const limit = fc.record({
    limit: fc.integer({ min: 1, max: 6 }),
    windowMs: fc.constantFrom(1_000, 60_000, 90_000),
    blockMs: fc.oneof(fc.constant(0), fc.constantFrom(500, 1_000, 60_000), fc.integer({ min: 1, max: 120_000 })),
  });
  return fc
    .record({
      algorithm: fc.constantFrom<Algorithm>(...ALGORITHMS),
      // At a window boundary, a millisecond before one, or anywhere.
      start: fc.oneof(fc.constantFrom(0, 999, 59_999, 89_999), fc.integer({ min: 0, max: 180_000 })),
      limits: fc.array(limit, { minLength: 1, maxLength: 3 }),
    })
    .chain(({ algorithm, start, limits }) =>
      fc.record({
        algorithm: fc.constant(algorithm),
        start: fc.constant(T0 + start),
        limits: fc.constant(limits),
        operations: fc.array(
          fc.record({
            // Steps of exactly one of the sequence's windows or blocks (or a millisecond less)
            // reach the instants where windows roll over and blocks end, where `>` and `>=`
            // differ, which random steps almost never hit.
            dt: fc.oneof(
              {
                weight: 4,
                arbitrary: fc.constantFrom(
                  0,
                  1,
                  ...limits.flatMap((l) => [l.windowMs, l.windowMs - 1, l.blockMs, l.blockMs - 1].filter((t) => t > 0)),
                ),
              },
              { weight: 4, arbitrary: fc.integer({ min: 0, max: 2_000 }) },
              { weight: 4, arbitrary: fc.integer({ min: 0, max: 40_000 }) },
              { weight: 1, arbitrary: fc.integer({ min: 100_000, max: 400_000 }) },
            ),
            kind: fc.constantFrom<SequenceOperation['kind']>(
              'consume',
              'consume',
              'consume',
              'consume',
              'peek',
              'refund',
              'reset',
            ),
            limits: fc.subarray(
              limits.map((_, i) => i),
              { minLength: 1 },
            ),
            key: fc.constantFrom<0 | 1>(0, 1),
            cost: fc.oneof(
              { weight: 3, arbitrary: fc.constant(1) },
              { weight: 2, arbitrary: fc.integer({ min: 0, max: 4 }) },
            ),
            withNumber: fc.boolean(),
          }),
          { minLength: 1, maxLength: options.maxOperations ?? 30 },
        ),
      }),
    );
}

/** A store taking part in a differential run, and what to do after each of its calls. */
export interface DifferentialSubject {
  readonly name: string;
  readonly store: RateLimitStore;
  /**
   * Runs after each operation with the checks it named. The Redis tests make the keys
   * persistent here: synthetic time does not move Redis's clock, so a TTL of a few
   * synthetic milliseconds would expire in real time between two steps at the same
   * synthetic instant (an expired state reads as no state, which every store agrees on;
   * the memory and reference stores still expire in synthetic time).
   */
  readonly afterOperation?: (checks: readonly LimitCheck[]) => Promise<void> | void;
}

/** The two client keys of one run: a string and an IPv4 address, both new to the stores. */
export interface SequenceKeys {
  readonly text: string;
  readonly ipv4: string;
}

/** The checks an operation names, as a policy builds them. */
export function checksOf(sequence: RateLimitSequence, operation: SequenceOperation, keys: SequenceKeys): LimitCheck[] {
  const key = operation.key === 0 ? keys.text : keys.ipv4;
  return operation.limits.map((index) => {
    const limit = sequence.limits[index] as SequenceLimit;
    return {
      scope: `diff:${index}`,
      key,
      ...(operation.withNumber ? { ipv4: canonicalIpv4Value(key) } : {}),
      limit: limit.limit,
      windowMs: limit.windowMs,
      blockMs: limit.blockMs,
    };
  });
}

/**
 * Runs `sequence` on a fresh reference store and on every subject, operation by operation,
 * with explicit times, and expects each subject's answer to every consume and peek to
 * equal the reference's, field by field (refunds and resets are seen in later answers).
 * The failure names the store, the operation and its index.
 *
 * @example
 * ```ts
 * import { memoryStore } from '@bulwark/ratelimit';
 * import { expectSameDecisions, rateLimitSequence } from '@bulwark/testkit';
 * import fc from 'fast-check';
 *
 * let run = 0;
 * await fc.assert(
 *   fc.asyncProperty(rateLimitSequence(), async (sequence) => {
 *     run++; // keys new to the store on every run
 *     const keys = { text: `client-${run}`, ipv4: `198.51.${(run >> 8) & 255}.${run & 255}` };
 *     await expectSameDecisions([{ name: 'memory', store: memoryStore() }], sequence, keys);
 *   }),
 * );
 * ```
 */
export async function expectSameDecisions(
  subjects: readonly DifferentialSubject[],
  sequence: RateLimitSequence,
  keys: SequenceKeys,
): Promise<void> {
  const reference = referenceRateLimitStore();
  const { algorithm } = sequence;
  let now = sequence.start;
  for (const [index, operation] of sequence.operations.entries()) {
    now += operation.dt;
    const checks = checksOf(sequence, operation, keys);
    const expected = await apply(reference, algorithm, operation, checks, now);
    for (const subject of subjects) {
      const actual = await apply(subject.store, algorithm, operation, checks, now);
      await subject.afterOperation?.(checks);
      expect(actual, `${subject.name}, operation ${index} (${operation.kind} at ${now}) of ${algorithm}`).toEqual(
        expected,
      );
    }
  }
}

function apply(
  store: RateLimitStore,
  algorithm: Algorithm,
  operation: SequenceOperation,
  checks: readonly LimitCheck[],
  now: number,
): Promise<ConsumeResult | undefined> | ConsumeResult | undefined {
  switch (operation.kind) {
    case 'consume':
      return store.consume(algorithm, checks, operation.cost, now);
    case 'peek':
      return store.peek(algorithm, checks, operation.cost, now);
    case 'refund':
      return Promise.resolve(store.refund(algorithm, checks, operation.cost, now)).then(() => undefined);
    case 'reset':
      return Promise.resolve(store.reset(checks)).then(() => undefined);
  }
}
