import { ConfigError } from '@bulwark/core';
import type { PgContext } from './options.js';
import { runQuery } from './query.js';

// Expired rows go in bounded batches: each batch is one DELETE of at most `batchSize` rows
// picked by ctid (`FOR UPDATE SKIP LOCKED`, so two sweepers, or a sweeper and a live
// operation, never wait on each other), and a sweep stops after `maxBatches`. An unbounded
// DELETE would hold row locks on, and write WAL for, everything expired at once.

export interface SweepOptions {
  /** Rows per DELETE. Default 1000; 1 to 100000. */
  readonly batchSize?: number | undefined;
  /** Batches per sweep call. Default 10; 1 to 1000. */
  readonly maxBatches?: number | undefined;
}

export interface SweepResult {
  /** Rows deleted by this call. */
  readonly deleted: number;
  /** True when the last batch was full: more expired rows may remain (call again). */
  readonly more: boolean;
}

function bounded(value: number | undefined, fallback: number, max: number, option: string): number {
  const n = value ?? fallback;
  if (!Number.isSafeInteger(n) || n < 1 || n > max)
    throw new ConfigError(option, `expected an integer from 1 to ${max}`);
  return n;
}

/**
 * Runs `statement` (a bound DELETE taking the batch size as `$1`, of the
 * {@link SWEEP_SHAPE}) until a batch comes back short or `maxBatches` ran. Each batch is its own
 * operation under the store's timeout.
 */
export async function sweepExpired(
  ctx: PgContext,
  op: string,
  statement: string,
  options: SweepOptions = {},
): Promise<SweepResult> {
  const batchSize = bounded(options.batchSize, 1000, 100_000, 'batchSize');
  const maxBatches = bounded(options.maxBatches, 10, 1000, 'maxBatches');
  let deleted = 0;
  for (let batch = 0; batch < maxBatches; batch++) {
    const result = await runQuery(ctx, op, statement, [batchSize]);
    const count = result.rowCount ?? 0;
    deleted += count;
    if (count < batchSize) return { deleted, more: false };
  }
  return { deleted, more: true };
}

/**
 * The shape every sweep statement follows (a constant per table, `{schema}` bound by
 * bindStatements): the rows are chosen by a LIMITed sub-select, never by a bare WHERE.
 *
 * ```sql
 * DELETE FROM {schema}.t WHERE ctid = ANY (ARRAY(
 *   SELECT ctid FROM {schema}.t WHERE expires_at < now() LIMIT $1 FOR UPDATE SKIP LOCKED))
 * ```
 */
export const SWEEP_SHAPE =
  /^DELETE FROM \{schema\}\.\w+ WHERE ctid = ANY \(ARRAY\(SELECT ctid FROM \{schema\}\.\w+ WHERE [^;]+ LIMIT \$1 FOR UPDATE SKIP LOCKED\)\)$/;
