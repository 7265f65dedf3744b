// A child process of the migrate test: migrates the given schema and prints what it applied.
import { migrate } from './migrate.js';
import { testPool } from './testing/pg.js';

const [schema] = process.argv.slice(2);
const pool = testPool({ max: 2 });
const result = await migrate(pool, { schema: schema as string });
process.stdout.write(`${JSON.stringify(result)}\n`);
await pool.end();
