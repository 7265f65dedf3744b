// A child process of the two-process API-key test: revokes the key id given on a store of
// the given schema, then prints its clock right after.
import { apiKeys } from '@bulwark/api-keys';
import { testPool } from '../testing/pg.js';
import { postgresApiKeyStore } from './store.js';

const [schema, id] = process.argv.slice(2);
const pool = testPool({ max: 4 });
const keys = apiKeys({ store: postgresApiKeyStore({ pool, schema: schema as string }) });
const revoked = await keys.revoke(id as string);
process.stdout.write(`${JSON.stringify({ revoked, revokedAt: Date.now() })}\n`);
await keys.close();
await pool.end();
