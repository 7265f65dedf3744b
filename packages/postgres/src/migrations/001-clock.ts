import type { Migration } from './types.js';

/**
 * `now_ms()`: the database's clock in epoch milliseconds, the one time every store of the
 * schema uses (so app servers with skewed clocks agree). `clock_timestamp()`, not
 * `now()`: a statement that waited for a row lock reads the time it got it.
 */
export const clock: Migration = {
  version: 1,
  name: 'clock',
  sql: `CREATE FUNCTION {schema}.now_ms() RETURNS bigint LANGUAGE sql VOLATILE PARALLEL SAFE
AS 'SELECT floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint'`,
};
