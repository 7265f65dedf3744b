import { BulwarkError, type ErrorCode } from '@bulwark/core';

// PostgreSQL and node-postgres failures as the BulwarkError codes the primitives' failure
// policies know: a store that cannot be reached, or did not answer in time, is
// `store_unavailable` / `store_timeout` (both a 503 at an adapter); an id that exists is
// `store_conflict`. The SQLSTATE stays on the error for logs (never in a problem body).

/** A failed PostgreSQL operation: a {@link BulwarkError} that keeps the SQLSTATE, when there is one. */
export class PostgresStoreError extends BulwarkError {
  /** The SQLSTATE (`57014`, `40001`, ...), or undefined for a connection-level failure. */
  readonly sqlState: string | undefined;
  /** True when retrying the same operation may succeed (serialization failure, deadlock). */
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, sqlState: string | undefined, retryable: boolean, cause?: unknown) {
    super(code, message, { cause });
    this.name = 'PostgresStoreError';
    this.sqlState = sqlState;
    this.retryable = retryable;
  }
}

/** SQLSTATE classes and codes that mean "the database is not there for us right now". */
const UNAVAILABLE_CLASSES = ['08', '53', '57P', '58'];

function sqlStateOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/**
 * The BulwarkError for a failure of operation `op` (`'apiKeys.get'`). A BulwarkError
 * passes through unchanged (the deadline's own timeout, a conflict already mapped).
 */
export function toStoreError(error: unknown, op: string): BulwarkError {
  if (error instanceof BulwarkError) return error;
  const state = sqlStateOf(error);
  if (state === '57014') {
    // query_canceled: the statement_timeout (the server's backstop), or our cancel at the deadline.
    return new PostgresStoreError(
      'store_timeout',
      `${op}: PostgreSQL cancelled the statement (timeout)`,
      state,
      false,
      error,
    );
  }
  if (state === '55P03') {
    return new PostgresStoreError('store_timeout', `${op}: a lock was not granted in time`, state, true, error);
  }
  if (state === '40001' || state === '40P01') {
    return new PostgresStoreError(
      'store_unavailable',
      `${op}: the transaction lost a race (${state === '40001' ? 'serialization failure' : 'deadlock'})`,
      state,
      true,
      error,
    );
  }
  if (state === '23505') {
    return new PostgresStoreError('store_conflict', `${op}: a record with this id exists`, state, false, error);
  }
  const message = error instanceof Error ? error.message : '';
  if (state === undefined && /timeout exceeded when trying to connect/i.test(message)) {
    // pg.Pool's connectionTimeoutMillis: every connection busy (pool exhausted) or a slow connect.
    return new PostgresStoreError(
      'store_timeout',
      `${op}: no PostgreSQL connection within the pool's timeout`,
      undefined,
      true,
      error,
    );
  }
  if (state !== undefined && !UNAVAILABLE_CLASSES.some((c) => state.startsWith(c))) {
    // Anything else the server refused (a missing table: migrate() not run; a bad value) is still
    // a store failure for the caller, but not one a retry fixes.
    return new PostgresStoreError(
      'store_unavailable',
      `${op}: PostgreSQL refused the statement (${state})`,
      state,
      false,
      error,
    );
  }
  return new PostgresStoreError('store_unavailable', `${op}: PostgreSQL could not be reached`, state, true, error);
}

/** The deadline of one operation passed before PostgreSQL answered. */
export function deadlineError(op: string, ms: number): PostgresStoreError {
  return new PostgresStoreError('store_timeout', `${op}: PostgreSQL did not answer within ${ms} ms`, undefined, true);
}
