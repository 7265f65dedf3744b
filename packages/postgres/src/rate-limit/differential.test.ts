import { type LimitCheck, memoryStore } from '@bulwark/ratelimit';
import { describeWithService, expectSameDecisions, rateLimitSequence } from '@bulwark/testkit';
import fc from 'fast-check';
import type pg from 'pg';
import { afterAll, beforeAll, it } from 'vitest';
import { migrate } from '../migrate.js';
import { dropSchema, inTestSchema, postgresUp, testPool, testSchemaName } from '../testing/pg.js';
import { postgresRateLimitStore } from './store.js';

// The differential property: generated sequences (testkit's `rateLimitSequence`) through
// the reference store, the memory store and the PostgreSQL store, with explicit time,
// identical answers required (the Redis store runs the same property).

describeWithService('PostgreSQL', postgresUp, 'postgres rate-limit store (differential)', () => {
  const schema = testSchemaName();
  let pool: pg.Pool;
  beforeAll(async () => {
    pool = testPool({ max: 4 });
    await migrate(pool, { schema });
  }, 60_000);
  afterAll(async () => {
    await dropSchema(pool, schema);
    await pool.end();
  });

  it('gives the decisions of the reference and the memory store on generated sequences (property)', async () => {
    const store = postgresRateLimitStore({ pool, schema, timeout: '20s' });
    // Synthetic time does not move the database's clock: a row whose expiry is a few
    // synthetic milliseconds away would expire in real time between two steps at one
    // synthetic instant, so the rows are kept (as the Redis property persists its keys).
    const keep = async (checks: readonly LimitCheck[]) => {
      await pool.query(
        inTestSchema(
          schema,
          'UPDATE {schema}.rate_limits SET expires_at = 9000000000000000 WHERE key = ANY($1::text[])',
        ),
        [checks.map((c) => c.key)],
      );
    };
    let run = 0;
    await fc.assert(
      fc.asyncProperty(rateLimitSequence(), async (sequence) => {
        run++;
        const value = (0x0a000000 + run) >>> 0;
        const keys = {
          text: `${process.pid}:${run}`,
          ipv4: [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.'),
        };
        await expectSameDecisions(
          [
            { name: 'memory', store: memoryStore() },
            { name: 'postgres', store, afterOperation: keep },
          ],
          sequence,
          keys,
        );
      }),
      { numRuns: 100 },
    );
  }, 120_000);
});
