import { median, type Result } from './harness.js';
import { type CodeUnderTest, codeUnderTest } from './http/code.js';
import {
  checkAnswer,
  checkFloorMatches,
  type LoadOptions,
  type Measurement,
  type ServerProcess,
  spawnServer,
} from './http/load.js';
import { freshRounds } from './http/rounds.js';
import {
  FRAMEWORKS,
  type Framework,
  type GuardForm,
  PIPELINE_VARIANTS,
  type ServerKind,
  type Variant,
} from './http/scenario.js';

/**
 * `pnpm bench http`: what Bulwark's pipeline costs per request on each framework (issue
 * #13, section 6). Per framework, four servers answer the same small JSON route: bare,
 * bare with Bulwark's twelve answer fields as fixed values (`floor`: what the fields alone cost),
 * behind Bulwark (`securityHeaders()`, one per-IP `rateLimitPolicy`, `corsPolicy(...)`),
 * and behind the stack users write today (helmet, cors, the framework's usual limiter).
 * Each runs in a child process of its own, a fresh set of four every round (http/rounds.ts);
 * autocannon loads them from this process over loopback, one after the other after a
 * warm-up, and each child reports its CPU time around its run. See docs/performance.md ("HTTP pipeline").
 *
 * Then the reference: the route on `node:http` alone, bare and with the same twelve fields
 * (http/node.ts), which says what the fields cost in Node itself, below any framework.
 *
 * Knobs: BENCH_ONLY=fastify,hono,node (frameworks; `node` the reference), BENCH_HTTP_DURATION (seconds per round, 3),
 * BENCH_HTTP_ROUNDS (5), BENCH_HTTP_CONNECTIONS (10), BENCH_HTTP_WARMUP (seconds, 2),
 * BENCH_GUARD=auto|list|each (how Bulwark is mounted, see below), BENCH_HTTP_CODE=auto|dist|src
 * (Bulwark's build or its sources, see http/code.ts; auto: the build when fresh), BENCH_DEBUG=1.
 */

const positive = (name: string, fallback: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!(value > 0)) throw new Error(`${name} must be a positive number, got ${raw}`);
  return value;
};

/** The servers BENCH_ONLY names: frameworks, and `node` for the node:http reference. */
function serversWanted(): readonly ServerKind[] {
  const all: readonly ServerKind[] = [...FRAMEWORKS, 'node'];
  const only = process.env.BENCH_ONLY;
  if (only === undefined || only === '') return all;
  const names = only.split(',').map((name) => name.trim());
  const known = all.filter((kind) => names.includes(kind));
  // BENCH_ONLY also selects within other benches (`body`, `memory`): no framework named means all.
  if (known.length === 0) return all;
  const unknown = names.filter((name) => !(all as readonly string[]).includes(name));
  if (unknown.length > 0) throw new Error(`BENCH_ONLY: unknown framework(s) ${unknown.join(', ')}`);
  return known;
}

function guardForm(): 'auto' | GuardForm {
  const form = process.env.BENCH_GUARD ?? 'auto';
  if (form !== 'auto' && form !== 'list' && form !== 'each')
    throw new Error(`BENCH_GUARD: auto, list or each, got ${form}`);
  return form;
}

async function startChecked(
  framework: ServerKind,
  variant: Variant,
  form: GuardForm,
  code: CodeUnderTest,
  quiet = false,
): Promise<ServerProcess> {
  const server = await spawnServer(framework, variant, form, { code, quiet });
  const problems = await checkAnswer(server);
  if (problems.length === 0) return server;
  await server.stop();
  throw new Error(`${framework}/${variant}${variant === 'ours' ? ` (guard ${form})` : ''}: ${problems.join('; ')}`);
}

/**
 * Bulwark's server, with one `guard([...])` for the three policies where the adapters
 * have that form, else one `guard(policy)` each. `auto` tries the list and falls back (an
 * adapter without it fails the answer check), saying so; `list` or `each` forces one.
 */
async function startOurs(
  framework: Framework,
  wanted: 'auto' | GuardForm,
  code: CodeUnderTest,
): Promise<ServerProcess> {
  if (wanted !== 'auto') return startChecked(framework, 'ours', wanted, code);
  try {
    // Quiet: an adapter without the list form logs the failed request's TypeError.
    return await startChecked(framework, 'ours', 'list', code, !process.env.BENCH_DEBUG);
  } catch (err) {
    if (process.env.BENCH_DEBUG) console.log(String(err));
    console.log(`${framework}: guard([...]) not available here; mounting one guard(policy) per policy`);
    return startChecked(framework, 'ours', 'each', code);
  }
}

interface FrameworkFigures {
  readonly framework: Framework;
  readonly form: GuardForm;
  readonly code: CodeUnderTest;
  /** Per variant, one measurement per round. */
  readonly rounds: Record<Variant, Measurement[]>;
}

/**
 * Rounds of bare, floor, ours and anchor, each round on four fresh server processes (see
 * `freshRounds`): each round's runs are back to back, so a slow phase hits all four. The
 * first Bulwark server settles the guard form (`auto`); later rounds mount the same.
 */
async function benchFramework(
  framework: Framework,
  load: LoadOptions,
  rounds: number,
  warmup: number,
  code: CodeUnderTest,
): Promise<FrameworkFigures> {
  let form: GuardForm | undefined;
  const start = async (variant: Variant): Promise<ServerProcess> => {
    if (variant !== 'ours') return startChecked(framework, variant, 'each', code);
    if (form !== undefined) return startChecked(framework, 'ours', form, code);
    const server = await startOurs(framework, guardForm(), code);
    form = server.form;
    return server;
  };
  const figures = await freshRounds({
    label: framework,
    variants: PIPELINE_VARIANTS,
    start,
    load,
    rounds,
    warmup,
    checkFirstRound: (servers) =>
      checkFloorMatches(servers.get('floor') as ServerProcess, servers.get('ours') as ServerProcess),
  });
  return { framework, form: form ?? 'each', code, rounds: figures };
}

/** The req/s ratio of a to b within each round (the two runs were back to back). */
function roundRatios(figures: FrameworkFigures, a: Variant, b: Variant): number[] {
  const theirs = figures.rounds[b];
  return figures.rounds[a].map((m, i) => m.requestsPerSecond / (theirs[i] as Measurement).requestsPerSecond);
}

/** Median over rounds of the per-round ratio. */
const roundRatio = (figures: FrameworkFigures, a: Variant, b: Variant) => median(roundRatios(figures, a, b));

const range = (values: readonly number[]) => `${Math.min(...values).toFixed(2)}-${Math.max(...values).toFixed(2)}`;

const medianOf = (ms: readonly Measurement[], pick: (m: Measurement) => number) => median(ms.map(pick));
const two = (value: number) => Number(value.toFixed(2));

function toResult(figures: FrameworkFigures): Result {
  const rps = (variant: Variant) => Math.round(medianOf(figures.rounds[variant], (m) => m.requestsPerSecond));
  const cpu = (variant: Variant) => Number(medianOf(figures.rounds[variant], (m) => m.cpuMicrosPerRequest).toFixed(1));
  return {
    bench: `http.pipeline.${figures.framework}`,
    ours: rps('ours'),
    anchor: 'bare',
    anchorOps: rps('bare'),
    ratio: two(roundRatio(figures, 'ours', 'bare')),
    vsAnchorStack: two(roundRatio(figures, 'ours', 'anchor')),
    anchorStackOps: rps('anchor'),
    anchorStackRatio: two(roundRatio(figures, 'anchor', 'bare')),
    // The bare route with Bulwark's answer fields as fixed values: what the fields alone cost.
    floorOps: rps('floor'),
    floorRatio: two(roundRatio(figures, 'floor', 'bare')),
    floorCpuUs: cpu('floor'),
    bareCpuUs: cpu('bare'),
    oursCpuUs: cpu('ours'),
    anchorStackCpuUs: cpu('anchor'),
    // bare / ours CPU per request: the throughput ratio a server-bound machine would see
    // (here autocannon shares the two cores and caps the fastest servers' req/s).
    cpuRatio: two(cpu('bare') / cpu('ours')),
    guard: figures.form,
    code: figures.code,
    ratioRange: range(roundRatios(figures, 'ours', 'bare')),
    anchorStackRatioRange: range(roundRatios(figures, 'anchor', 'bare')),
  };
}

function printTable(results: readonly Result[], load: LoadOptions, rounds: number, code: CodeUnderTest): void {
  console.log(
    `\n# HTTP pipeline (Bulwark from ${code === 'dist' ? 'the build' : 'the sources, under tsx'}): autocannon, ${load.connections} connections, ${rounds} rounds of ${load.duration} s per server; medians (vs bare: median of per-round req/s ratios; rounds: their range)\n`,
  );
  const header = `${'framework'.padEnd(10)} ${'variant'.padEnd(14)} ${'req/s'.padStart(9)} ${'µs/req CPU'.padStart(11)} ${'vs bare'.padStart(8)} ${'rounds'.padStart(10)}`;
  console.log(header);
  for (const r of results) {
    const framework = r.bench.replace('http.pipeline.', '');
    const rows: [string, number | string, number | string, string][] = [
      ['bare', r.anchorOps, r.bareCpuUs as number, '1.00x'],
      ['floor (fields)', r.floorOps as number, r.floorCpuUs as number, `${Number(r.floorRatio).toFixed(2)}x`],
      [`bulwark (${r.guard})`, r.ours, r.oursCpuUs as number, `${r.ratio.toFixed(2)}x`],
      [
        'anchor stack',
        r.anchorStackOps as number,
        r.anchorStackCpuUs as number,
        `${Number(r.anchorStackRatio).toFixed(2)}x`,
      ],
    ];
    for (const [variant, ops, cpu, ratio] of rows)
      console.log(
        `${framework.padEnd(10)} ${variant.padEnd(14)} ${ops.toLocaleString('en-US').padStart(9)} ${Number(cpu).toFixed(1).padStart(11)} ${ratio.padStart(8)}`,
      );
  }
}

/** The node:http reference's two servers (bare, the twelve fields), fresh each round like the frameworks'. */
async function benchNodeFields(
  load: LoadOptions,
  rounds: number,
  warmup: number,
  code: CodeUnderTest,
): Promise<Result> {
  const figures = await freshRounds({
    label: 'node',
    variants: ['bare', 'floor'] as const,
    start: (variant) => startChecked('node', variant, 'each', code),
    load,
    rounds,
    warmup,
  });
  const rps = (variant: 'bare' | 'floor') => Math.round(medianOf(figures[variant], (m) => m.requestsPerSecond));
  const cpu = (variant: 'bare' | 'floor') => medianOf(figures[variant], (m) => m.cpuMicrosPerRequest);
  const ratios = figures.floor.map((m, i) => m.requestsPerSecond / (figures.bare[i] as Measurement).requestsPerSecond);
  return {
    bench: 'http.fields.node',
    ours: rps('floor'),
    anchor: 'bare',
    anchorOps: rps('bare'),
    ratio: two(median(ratios)),
    bareCpuUs: Number(cpu('bare').toFixed(1)),
    floorCpuUs: Number(cpu('floor').toFixed(1)),
    // What the twelve fields cost in Node itself: no adapter sends them for less.
    fieldsCpuUs: Number((cpu('floor') - cpu('bare')).toFixed(1)),
    ratioRange: range(ratios),
  };
}

/**
 * The node:http reference, and what it means for each framework measured: with the fields
 * costing `fieldsCpuUs` in Node whatever sends them, a server at the framework's bare CPU
 * per request can reach at most bare / (bare + fields) of bare's throughput with them.
 */
function printNodeReference(reference: Result, frameworks: readonly Result[]): void {
  const fields = Number(reference.fieldsCpuUs);
  console.log(
    `\n# node:http alone: bare ${Number(reference.bareCpuUs).toFixed(1)} µs, with the twelve fields ${Number(reference.floorCpuUs).toFixed(1)} µs of CPU per request (req/s ${reference.ratio.toFixed(2)}x): the fields cost ${fields.toFixed(1)} µs in Node itself`,
  );
  for (const r of frameworks) {
    const bare = Number(r.bareCpuUs);
    console.log(
      `${r.bench.replace('http.pipeline.', '').padEnd(10)} bare ${bare.toFixed(1)} µs + the fields ${fields.toFixed(1)} µs: at most ${(bare / (bare + fields)).toFixed(2)}x of bare, before any policy runs`,
    );
  }
}

export async function httpBench(): Promise<Result[]> {
  const load: LoadOptions = {
    connections: positive('BENCH_HTTP_CONNECTIONS', 10),
    duration: positive('BENCH_HTTP_DURATION', 3),
  };
  const rounds = positive('BENCH_HTTP_ROUNDS', 5);
  const warmup = positive('BENCH_HTTP_WARMUP', 2);
  const code = codeUnderTest();
  const wanted = serversWanted();
  const results: Result[] = [];
  for (const framework of FRAMEWORKS.filter((kind) => wanted.includes(kind)))
    results.push(toResult(await benchFramework(framework, load, rounds, warmup, code)));
  if (results.length > 0) printTable(results, load, rounds, code);
  if (!wanted.includes('node')) return results;
  const reference = await benchNodeFields(load, rounds, warmup, code);
  printNodeReference(reference, results);
  return [...results, reference];
}
