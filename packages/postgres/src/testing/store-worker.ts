// A second OS process for the race tests (not shipped): the part-B stores and the rate-limit store on the same
// database and schema, with the database's own clock. It reads one JSON request per stdin
// line, `{ "id", "op", "args", "at"? }`, runs it (at `at`, epoch ms, when given, so both
// processes start together) and writes `{ "id", "result" }` or `{ "id", "error" }` per line.
// It ends when stdin closes.
import { createInterface } from 'node:readline';
import { compileRules, type LockoutOptions, type LockoutTarget } from '@bulwark/lockout';
import type { Algorithm, LimitCheck } from '@bulwark/ratelimit';
import type { RotateInput } from '@bulwark/tokens';
import { postgresAuthorizationCodeStore } from '../codes/store.js';
import { postgresLockoutStore } from '../lockout/store.js';
import { postgresRateLimitStore } from '../rate-limit/store.js';
import { postgresRefreshTokenStore } from '../refresh/store.js';
import { testPool } from './pg.js';

const [schema] = process.argv.slice(2) as [string];
const pool = testPool({ max: 20 });
const options = { pool, schema, timeout: '20s' } as const;
const refresh = postgresRefreshTokenStore(options);
const codes = postgresAuthorizationCodeStore(options);
const lockout = postgresLockoutStore(options);
const rateLimits = postgresRateLimitStore(options);

const OPS: Record<string, (args: never) => Promise<unknown>> = {
  rotate: (inputs: RotateInput[]) => Promise.all(inputs.map((input) => refresh.rotate(input))),
  redeem: async ([hash, count]: [string, number]) =>
    (await Promise.all(Array.from({ length: count }, () => codes.redeem(hash)))).map((r) => r.outcome),
  fail: async ([target, lockoutOptions, attempts]: [LockoutTarget, LockoutOptions, number]) => {
    const rules = compileRules(lockoutOptions);
    const answers = await Promise.all(Array.from({ length: attempts }, () => lockout.reserve(target, rules)));
    return answers.filter((a) => a.allowed).length;
  },
  consume: async ([algorithm, checks, count]: [Algorithm, LimitCheck[], number]) =>
    (await Promise.all(Array.from({ length: count }, () => rateLimits.consume(algorithm, checks, 1)))).filter(
      (r) => r.allowed,
    ).length,
};

async function serve(line: string): Promise<void> {
  const request = JSON.parse(line) as { id: number; op: string; args: never; at?: number };
  if (request.at !== undefined) {
    // A timer to just before the instant, then a few turns of the loop to it.
    await new Promise((r) => setTimeout(r, Math.max(0, (request.at as number) - Date.now() - 2)));
    while (Date.now() < (request.at as number)) await new Promise((r) => setImmediate(r));
  }
  const op = OPS[request.op];
  if (op === undefined) throw new Error(`unknown op ${request.op}`);
  const result = await op(request.args);
  process.stdout.write(`${JSON.stringify({ id: request.id, result })}\n`);
}

// Connected (the pool warmed) before the parent is told to go, so the calls race for real.
await Promise.all(Array.from({ length: 20 }, () => pool.query('SELECT 1')));
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  void serve(line).catch((error: unknown) => {
    process.stdout.write(`${JSON.stringify({ id: JSON.parse(line).id, error: String(error) })}\n`);
  });
});
lines.on('close', () => void pool.end());
