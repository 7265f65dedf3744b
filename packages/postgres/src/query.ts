import { BulwarkError } from '@bulwark/core';
import type { PoolClient, QueryResult, QueryResultRow } from 'pg';
import { deadlineError, PostgresStoreError, toStoreError } from './errors.js';
import type { PgContext } from './options.js';

// One operation = one connection from the pool, under one deadline (the store's `timeout`,
// getting the connection included). Past the deadline the caller gets `store_timeout` at
// once, and the connection it held is destroyed rather than given back (its statement may
// still be running: a pool must never hand out a connection that is busy). A statement
// still running on the server after that is bounded by the pool's own `statement_timeout`
// (README: set one), since node-postgres cannot cancel it in the same round trip.

/** Runs one statement on a client: the values always as parameters. */
export type Query = <R extends QueryResultRow = QueryResultRow>(
  text: string,
  values?: readonly unknown[],
) => Promise<QueryResult<R>>;

/** Isolation of a transaction; each operation states the one it needs. */
export type Isolation = 'read committed' | 'repeatable read' | 'serializable';

const BEGIN: Readonly<Record<Isolation, string>> = {
  'read committed': 'BEGIN ISOLATION LEVEL READ COMMITTED',
  'repeatable read': 'BEGIN ISOLATION LEVEL REPEATABLE READ',
  serializable: 'BEGIN ISOLATION LEVEL SERIALIZABLE',
};

/**
 * The name each statement text is prepared under (per connection, by node-postgres): one
 * per distinct text in this process, so two texts never share a name. A prepared statement
 * is parsed and planned once per connection instead of on every call.
 */
const statementNames = new Map<string, string>();
function statementName(text: string): string {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = 'bulwark_'.concat(String(statementNames.size + 1));
    statementNames.set(text, name);
  }
  return name;
}

/** Attempts of a transaction that lost a serialization race (40001) or a deadlock (40P01). */
const MAX_ATTEMPTS = 3;

/**
 * Runs `work` on one pooled client within the context's deadline, mapping every failure
 * to a BulwarkError (`store_timeout`, `store_unavailable`, `store_conflict`).
 */
export async function withClient<T>(ctx: PgContext, op: string, work: (query: Query) => Promise<T>): Promise<T> {
  let expired = false;
  let client: PoolClient | undefined;
  let released = false;
  // A connection that fails while checked out emits 'error' (the pool listens only to idle
  // ones): heard here, it is destroyed at release instead of crashing the process.
  let broken = false;
  const onClientError = () => {
    broken = true;
  };
  const release = (destroy: boolean) => {
    if (client === undefined || released) return;
    released = true;
    const end = destroy || broken;
    // Given back to the pool: the pool's idle listener takes over. Destroyed: ours stays, as
    // a closing connection may still report an error.
    if (!end) client.off('error', onClientError);
    // release(true) ends the connection instead of returning it to the pool.
    client.release(end);
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      expired = true;
      release(true);
      reject(deadlineError(op, ctx.timeoutMs));
    }, ctx.timeoutMs);
  });
  const attempt = (async () => {
    const connected = await ctx.pool.connect();
    if (expired) {
      // The deadline passed while we waited for a connection: give it straight back unused.
      connected.release();
      throw deadlineError(op, ctx.timeoutMs);
    }
    client = connected;
    connected.on('error', onClientError);
    const query: Query = <R extends QueryResultRow>(text: string, values?: readonly unknown[]) => {
      if (expired) return Promise.reject(deadlineError(op, ctx.timeoutMs));
      if (values === undefined) return connected.query<R>(text);
      return ctx.prepare
        ? connected.query<R>({ name: statementName(text), text, values: values as unknown[] })
        : connected.query<R>({ text, values: values as unknown[] });
    };
    try {
      const result = await work(query);
      release(false);
      return result;
    } catch (error) {
      // A connection-level failure, or anything `work` did not map (it may have left a
      // transaction open), ends the connection instead of returning it to the pool.
      release(
        !(error instanceof BulwarkError) || (error instanceof PostgresStoreError && error.sqlState === undefined),
      );
      throw error;
    }
  })();
  // The loser of the race must not surface as an unhandled rejection.
  attempt.catch(() => {});
  try {
    return await Promise.race([attempt, timeout]);
  } catch (error) {
    throw toStoreError(error, op);
  } finally {
    clearTimeout(timer);
  }
}

/** One parameterised statement, one round trip (plus getting a connection from the pool). */
export async function runQuery<R extends QueryResultRow = QueryResultRow>(
  ctx: PgContext,
  op: string,
  text: string,
  values: readonly unknown[] = [],
): Promise<QueryResult<R>> {
  return withClient(ctx, op, async (query) => {
    try {
      return await query<R>(text, values);
    } catch (error) {
      throw toStoreError(error, op);
    }
  });
}

/**
 * `work` in one transaction of the given isolation, committed when it resolves and rolled
 * back when it throws. A serialization failure or a deadlock is retried (up to 3 attempts,
 * all inside the one deadline): `work` must therefore only touch the database.
 */
export async function inTransaction<T>(
  ctx: PgContext,
  op: string,
  isolation: Isolation,
  work: (query: Query) => Promise<T>,
): Promise<T> {
  return withClient(ctx, op, async (query) => {
    for (let attempt = 1; ; attempt++) {
      try {
        await query(BEGIN[isolation]);
        const result = await work(query);
        await query('COMMIT');
        return result;
      } catch (error) {
        const mapped = toStoreError(error, op);
        try {
          await query('ROLLBACK');
        } catch {
          // The connection is gone: withClient destroys it (a connection-level error).
          throw mapped;
        }
        if (!(mapped instanceof PostgresStoreError && mapped.retryable && mapped.sqlState !== undefined)) throw mapped;
        if (attempt >= MAX_ATTEMPTS) throw mapped;
      }
    }
  });
}
