import type pg from 'pg';

// Counts the statements a pool's clients send (one statement = one round trip): every
// client checked out of `pool` has its `query` wrapped once.
const WRAPPED = Symbol('countedQuery');

export interface StatementCounter {
  /** Statements sent while `op` ran (the connection's own set-up excluded). */
  during(op: () => Promise<unknown>): Promise<number>;
}

export function countStatements(pool: pg.Pool): StatementCounter {
  let count = 0;
  pool.on('acquire', (client) => {
    const c = client as pg.PoolClient & { [WRAPPED]?: true };
    if (c[WRAPPED]) return;
    c[WRAPPED] = true;
    const query = c.query.bind(c) as (...args: unknown[]) => unknown;
    (c as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      count += 1;
      return query(...args);
    };
  });
  return {
    async during(op) {
      const before = count;
      await op();
      return count - before;
    },
  };
}
