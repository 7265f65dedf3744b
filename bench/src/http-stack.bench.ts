import { isDeepStrictEqual } from 'node:util';
import { median, type Result } from './harness.js';
import { type CodeUnderTest, codeUnderTest } from './http/code.js';
import { checkFloorMatches, type LoadOptions, type Measurement, type ServerProcess, spawnServer } from './http/load.js';
import { freshRounds } from './http/rounds.js';
import {
  FRAMEWORKS,
  type Framework,
  type GuardForm,
  NOTES,
  ORIGIN,
  PIPELINE_VARIANTS,
  ROUTE,
  type ServerKind,
  type Variant,
} from './http/scenario.js';
import { exportSecrets, SCOPE, type StackSecrets, stackSecrets } from './http-stack/stack.js';

/**
 * `pnpm bench http-stack`: issue #15's `http.stack.<framework>`. The HTTP pipeline bench
 * (`pnpm bench http`, whose process harness this reuses) with the whole stack: security
 * headers, CORS, the per-IP limit, JWT authentication (HS256 through the keyring, the
 * verified-token cache on), the per-principal limit and a scope check. Per framework:
 * bare, the floor (the bare route sending Bulwark's answer fields as fixed values), Bulwark,
 * and the anchor stack users write today (helmet, cors, the usual limiter twice, and
 * jsonwebtoken / @fastify/jwt / koa-jwt / hono/jwt), on fresh server processes every round
 * (http/rounds.ts). Every measured request carries the same valid token. See docs/performance.md ("HTTP stack with authentication").
 *
 * Knobs: those of `pnpm bench http` (BENCH_ONLY, BENCH_HTTP_DURATION, BENCH_HTTP_ROUNDS,
 * BENCH_HTTP_CONNECTIONS, BENCH_HTTP_WARMUP, BENCH_HTTP_CODE, BENCH_DEBUG), and
 * BENCH_GUARD=each|list: `each` (default) mounts Bulwark the documented way (`guard([...])`,
 * `authenticate(...)`, `guard(principal limit)`, `requireScopes(...)` on the route); `list`
 * puts all six policies in one `guard([...])`.
 */

const CHILD = new URL('./http-stack/child.ts', import.meta.url).pathname;

const positive = (name: string, fallback: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!(value > 0)) throw new Error(`${name} must be a positive number, got ${raw}`);
  return value;
};

function frameworksWanted(): readonly Framework[] {
  const names = (process.env.BENCH_ONLY ?? '').split(',').map((n) => n.trim());
  const known = FRAMEWORKS.filter((framework) => names.includes(framework));
  return known.length === 0 ? FRAMEWORKS : known;
}

function guardForm(): GuardForm {
  const form = process.env.BENCH_GUARD ?? 'each';
  if (form !== 'list' && form !== 'each') throw new Error(`BENCH_GUARD: each or list, got ${form}`);
  return form;
}

/** Headers an answer must carry, per variant: a server that lost a middleware would look fast. */
function expectedHeaders(framework: ServerKind, variant: Variant): string[] {
  if (variant === 'bare') return [];
  if (framework === 'node') throw new Error('the stack has no node:http server');
  const base = ['access-control-allow-origin', 'x-content-type-options'];
  // The floor sends Bulwark's fields as fixed values (checkFloorMatches compares them all).
  if (variant === 'ours' || variant === 'floor') return [...base, 'ratelimit', 'ratelimit-policy'];
  const limiter: Record<Framework, string> = {
    express: 'ratelimit',
    fastify: 'x-ratelimit-limit',
    koa: 'x-ratelimit-limit',
    hono: 'ratelimit-limit',
  };
  return [...base, limiter[framework]];
}

/**
 * Before measuring: the valid token gets the notes with the variant's headers; and, for
 * Bulwark and the anchors, no token is 401 and a token without the scope is 403 (the
 * authentication and the scope check are really there). Bare and the floor answer 200 to all.
 */
async function checkStack(server: ServerProcess, secrets: StackSecrets): Promise<string[]> {
  const problems: string[] = [];
  const get = (authorization?: string) =>
    fetch(`http://127.0.0.1:${server.port}${ROUTE}`, {
      headers: { origin: ORIGIN, ...(authorization ? { authorization } : {}) },
    });
  const ok = await get(`Bearer ${secrets.token}`);
  const text = await ok.text();
  if (ok.status !== 200) problems.push(`status ${ok.status} with the token, expected 200 (${text.slice(0, 120)})`);
  else if (!isDeepStrictEqual(JSON.parse(text), NOTES)) problems.push(`body ${text.slice(0, 120)}`);
  for (const name of expectedHeaders(server.framework, server.variant as Variant))
    if (!ok.headers.has(name)) problems.push(`no ${name} header`);
  const guarded = server.variant === 'ours' || server.variant === 'anchor';
  const anonymous = await get();
  const unscoped = await get(`Bearer ${secrets.tokenWithoutScope}`);
  if (anonymous.status !== (guarded ? 401 : 200)) problems.push(`no token: ${anonymous.status}`);
  if (unscoped.status !== (guarded ? 403 : 200)) problems.push(`token without ${SCOPE}: ${unscoped.status}`);
  return problems;
}

async function start(
  framework: Framework,
  variant: Variant,
  form: GuardForm,
  code: CodeUnderTest,
  secrets: StackSecrets,
): Promise<ServerProcess> {
  const server = await spawnServer(framework, variant, form, { code, child: CHILD });
  const problems = await checkStack(server, secrets);
  if (problems.length === 0) return server;
  await server.stop();
  throw new Error(`http-stack ${framework}/${variant}: ${problems.join('; ')}`);
}

type Rounds = Record<Variant, Measurement[]>;

/** Rounds of bare, floor, ours and anchor on fresh processes, as in `pnpm bench http`. */
function benchFramework(
  framework: Framework,
  load: LoadOptions,
  rounds: number,
  warmup: number,
  code: CodeUnderTest,
  secrets: StackSecrets,
): Promise<Rounds> {
  const form = guardForm();
  return freshRounds({
    label: framework,
    variants: PIPELINE_VARIANTS,
    start: (variant) => start(framework, variant, form, code, secrets),
    load,
    rounds,
    warmup,
    checkFirstRound: (servers) =>
      checkFloorMatches(servers.get('floor') as ServerProcess, servers.get('ours') as ServerProcess, {
        authorization: `Bearer ${secrets.token}`,
      }),
  });
}

const two = (value: number) => Number(value.toFixed(2));
const ratios = (rounds: Rounds, a: Variant, b: Variant) =>
  rounds[a].map((m, i) => m.requestsPerSecond / (rounds[b][i] as Measurement).requestsPerSecond);
const range = (values: readonly number[]) => `${Math.min(...values).toFixed(2)}-${Math.max(...values).toFixed(2)}`;

function toResult(framework: Framework, rounds: Rounds, code: CodeUnderTest): Result {
  const rps = (v: Variant) => Math.round(median(rounds[v].map((m) => m.requestsPerSecond)));
  const cpu = (v: Variant) => Number(median(rounds[v].map((m) => m.cpuMicrosPerRequest)).toFixed(1));
  return {
    bench: `http.stack.${framework}`,
    ours: rps('ours'),
    anchor: 'bare',
    anchorOps: rps('bare'),
    ratio: two(median(ratios(rounds, 'ours', 'bare'))),
    vsAnchorStack: two(median(ratios(rounds, 'ours', 'anchor'))),
    anchorStackOps: rps('anchor'),
    anchorStackRatio: two(median(ratios(rounds, 'anchor', 'bare'))),
    bareCpuUs: cpu('bare'),
    oursCpuUs: cpu('ours'),
    anchorStackCpuUs: cpu('anchor'),
    // The bare route with the stack's answer fields as fixed values: what the fields alone cost.
    floorOps: rps('floor'),
    floorRatio: two(median(ratios(rounds, 'floor', 'bare'))),
    floorCpuUs: cpu('floor'),
    cpuRatio: two(cpu('bare') / cpu('ours')),
    guard: guardForm(),
    code,
    ratioRange: range(ratios(rounds, 'ours', 'bare')),
    vsAnchorStackRange: range(ratios(rounds, 'ours', 'anchor')),
  };
}

export async function httpStackBench(): Promise<Result[]> {
  const load: LoadOptions = {
    connections: positive('BENCH_HTTP_CONNECTIONS', 10),
    duration: positive('BENCH_HTTP_DURATION', 3),
  };
  const rounds = positive('BENCH_HTTP_ROUNDS', 5);
  const warmup = positive('BENCH_HTTP_WARMUP', 2);
  const code = codeUnderTest();
  const secrets = await stackSecrets();
  exportSecrets(secrets);
  const measured = { ...load, headers: { authorization: `Bearer ${secrets.token}` } };
  const results: Result[] = [];
  for (const framework of frameworksWanted()) {
    const figures = await benchFramework(framework, measured, rounds, warmup, code, secrets);
    results.push(toResult(framework, figures, code));
  }
  console.log(
    `\n# HTTP stack with authentication: autocannon, ${load.connections} connections, ${rounds} rounds of ${load.duration} s per server`,
  );
  for (const r of results)
    console.log(
      `${r.bench.padEnd(20)} bare ${String(r.anchorOps).padStart(7)}  floor ${String(r.floorOps).padStart(7)} (${r.floorRatio}x)  bulwark ${String(r.ours).padStart(7)} (${r.ratio}x)  anchor stack ${String(r.anchorStackOps).padStart(7)} (${r.anchorStackRatio}x)  bulwark/anchor ${r.vsAnchorStack}x`,
    );
  return results;
}
