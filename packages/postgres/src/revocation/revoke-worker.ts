// A child process of the revocation propagation test: revokes the targets given as JSON on
// a store of the given schema, then prints its clock right after.
import type { RevocationTarget } from '@bulwark/tokens';
import { testPool } from '../testing/pg.js';
import { postgresRevocationStore } from './store.js';

const [schema, targetsJson] = process.argv.slice(2);
const pool = testPool({ max: 4 });
const store = postgresRevocationStore({ pool, schema: schema as string });
const targets = JSON.parse(targetsJson as string) as RevocationTarget[];
await Promise.all(targets.map((target) => store.revoke(target)));
process.stdout.write(`${JSON.stringify({ revokedAt: Date.now() })}\n`);
await store.close();
await pool.end();
