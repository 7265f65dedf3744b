/**
 * Profiles one benchmark server under the HTTP bench's load and prints where its CPU goes,
 * as self time per request (issue #13, section 6: "profile before and after").
 *
 *   pnpm --filter @bulwark/bench profile:http cpu-prof fastify express   (V8 --cpu-prof)
 *   pnpm --filter @bulwark/bench profile:http perf hono                  (perf + --perf-basic-prof)
 *   pnpm --filter @bulwark/bench profile:http perf-diff fastify          (perf, Bulwark minus bare)
 *
 * PROFILE_VARIANT=bare|floor|ours|anchor (default ours), PROFILE_BASE=bare|floor (what perf-diff
 * subtracts; default bare), PROFILE_BENCH=stack (the http-stack servers, every request with
 * the stack's token), PROFILE_SECONDS (default 10),
 * BENCH_GUARD=list|each (default each), BENCH_HTTP_CODE as for the bench. Raw files and summaries go to bench/profiles/
 * (gitignored). `--cpu-prof` samples through V8 and is known to distort these servers
 * (it deoptimises and inflates small functions); perf samples the process from outside.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { exportSecrets, stackSecrets } from '../http-stack/stack.js';
import { codeUnderTest } from './code.js';
import { measure, type ServerProcess, spawnServer } from './load.js';
import { FRAMEWORKS, type Framework, type GuardForm, PIPELINE_VARIANTS, type Variant } from './scenario.js';

const ROOT = new URL('../../../', import.meta.url).pathname;
const OUT = join(ROOT, 'bench/profiles');
const CONNECTIONS = 10;
/** PROFILE_BENCH=stack: the servers of `pnpm bench http-stack` (JWT, the per-principal limit, the scope check). */
const STACK = process.env.PROFILE_BENCH === 'stack';
const SERVER_SCRIPT = STACK ? { child: new URL('../http-stack/child.ts', import.meta.url).pathname } : {};
/** What every profiled request carries besides `Origin`: the stack's token, once main() has issued it. */
let requestHeaders: Record<string, string> = {};
/** Output files of the stack's servers start with `stack-`. */
const PREFIX = STACK ? 'stack-' : '';
const CODE = codeUnderTest();

interface Entry {
  readonly name: string;
  readonly where: string;
  readonly owner: string;
  micros: number;
}

/** Which code a frame belongs to: Bulwark's sources, a package, Node's own modules, V8. */
function ownerOf(url: string): string {
  if (url === '') return 'v8/native';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const [scope, name] = url.slice(modules + '/node_modules/'.length).split('/');
    return scope?.startsWith('@') ? `${scope}/${name}` : (scope ?? url);
  }
  if (url.startsWith('node:')) return 'node';
  const path = relative(ROOT, url.replace(/^file:\/\//, ''));
  const match = /^(packages|adapters)\/([^/]+)\//.exec(path);
  return match ? `bulwark/${match[1]}/${match[2]}` : path;
}

/** A frame's file, relative to the repository (Node's own modules as `node:...`). */
const location = (url: string) => (url.startsWith('node:') ? url : relative(ROOT, url.replace(/^file:\/\//, '')));

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

/** Self time per function of a V8 `.cpuprofile`, idle excluded. */
function cpuProfileEntries(file: string): Entry[] {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byNode = new Map<number, Entry>();
  const byKey = new Map<string, Entry>();
  for (const node of profile.nodes) {
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url === '' ? '' : `${location(url)}:${lineNumber + 1}`;
    const name = functionName || '(anonymous)';
    const key = `${name} ${where}`;
    let entry = byKey.get(key);
    if (entry === undefined) {
      entry = { name, where, owner: ownerOf(url), micros: 0 };
      byKey.set(key, entry);
    }
    byNode.set(node.id, entry);
  }
  profile.samples.forEach((id, i) => {
    const entry = byNode.get(id);
    if (entry !== undefined) entry.micros += profile.timeDeltas[i] ?? 0;
  });
  return [...byKey.values()].filter((e) => e.name !== '(idle)');
}

function summarise(title: string, entries: readonly Entry[], cpuMicrosPerRequest: number, top = 30): string {
  const total = entries.reduce((sum, e) => sum + e.micros, 0);
  const perRequest = (micros: number) => ((micros / total) * cpuMicrosPerRequest).toFixed(2).padStart(6);
  const pct = (micros: number) => `${((micros / total) * 100).toFixed(1).padStart(5)}%`;
  const lines = [`## ${title}: ${cpuMicrosPerRequest.toFixed(1)} µs CPU per request`, '', 'self time by owner:'];
  const owners = new Map<string, number>();
  for (const e of entries) owners.set(e.owner, (owners.get(e.owner) ?? 0) + e.micros);
  for (const [owner, micros] of [...owners].sort((a, b) => b[1] - a[1]).slice(0, 15))
    lines.push(`  ${pct(micros)} ${perRequest(micros)} µs  ${owner}`);
  lines.push('', `top ${top} functions by self time:`);
  for (const e of [...entries].sort((a, b) => b.micros - a.micros).slice(0, top))
    lines.push(`  ${pct(e.micros)} ${perRequest(e.micros)} µs  ${e.name}  ${e.where || e.owner}`);
  lines.push('', 'Bulwark frames by self time:');
  for (const e of entries
    .filter((x) => x.owner.startsWith('bulwark/'))
    .sort((a, b) => b.micros - a.micros)
    .slice(0, top))
    lines.push(`  ${pct(e.micros)} ${perRequest(e.micros)} µs  ${e.name}  ${e.where}`);
  return lines.join('\n');
}

async function loadFor(server: ServerProcess, seconds: number) {
  await measure(server, { connections: CONNECTIONS, duration: 2, headers: requestHeaders }); // warm-up
  return measure(server, { connections: CONNECTIONS, duration: seconds, headers: requestHeaders });
}

/**
 * Under `--import tsx` the module loader runs in a worker thread that writes a profile of
 * its own: each run gets a directory, and the main thread's profile is the largest file.
 */
async function withCpuProf(framework: Framework, variant: Variant, form: GuardForm, seconds: number) {
  const dir = join(OUT, `${PREFIX}${framework}-${variant}.cpuprofiles`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const server = await spawnServer(framework, variant, form, {
    code: CODE,
    ...SERVER_SCRIPT,
    nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`],
  });
  const m = await loadFor(server, seconds);
  await server.stop();
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => join(dir, f));
  const main = files.sort((a, b) => statSync(b).size - statSync(a).size)[0];
  if (main === undefined) throw new Error(`no profile written in ${dir}`);
  const title = `${framework} ${variant} (guard ${form}, ${CODE}), --cpu-prof, ${Math.round(m.requestsPerSecond)} req/s`;
  return summarise(title, cpuProfileEntries(main), m.cpuMicrosPerRequest);
}

function run(command: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stderr.on('data', () => {});
    child.on('error', reject);
    child.on('exit', () => resolve(out));
  });
}

/**
 * One line of `perf report --sort dso,symbol`: JIT frames (`JS:*name file:///path:line:col`,
 * from `--perf-basic-prof`) are attributed like V8 frames; the rest by their binary.
 */
function perfEntry(dso: string, symbol: string, share: number): Entry {
  // The name may hold a space (`get clientIp`); the location is a URL (file:, node:, wasm:)
  // or, for CommonJS modules, an absolute path.
  const js = /^(?:JS|LazyCompile|Function):[*~^]?(.*?) ?((?:file:|node:|wasm:|\/)\S*?)(?::\d+:\d+)?$/.exec(symbol);
  if (dso.startsWith('[JIT]') && js !== null) {
    const url = js[2] ?? '';
    const where = location(url);
    return { name: js[1] || '(anonymous)', where, owner: ownerOf(url), micros: share };
  }
  const owner = dso === '[kernel.kallsyms]' ? 'kernel' : dso.startsWith('[JIT]') ? 'v8/jit-other' : `native:${dso}`;
  return { name: symbol, where: owner, owner, micros: share };
}

/** perf's self time for the process (sampled from outside), summarised like a cpu profile. */
async function withPerf(framework: Framework, variant: Variant, form: GuardForm, seconds: number) {
  const data = join(OUT, `${PREFIX}${framework}-${variant}.perf.data`);
  const server = await spawnServer(framework, variant, form, {
    code: CODE,
    ...SERVER_SCRIPT,
    nodeArgs: ['--perf-basic-prof'],
  });
  await measure(server, { connections: CONNECTIONS, duration: 2, headers: requestHeaders }); // warm-up
  const recorder = spawn(
    'perf',
    ['record', '-e', 'cpu-clock', '-F', '4000', '-g', '-p', String(server.pid), '-o', data],
    {
      stdio: 'ignore',
    },
  );
  await new Promise((resolve) => setTimeout(resolve, 300));
  const m = await measure(server, { connections: CONNECTIONS, duration: seconds, headers: requestHeaders });
  const stopped = new Promise((resolve) => recorder.once('exit', resolve));
  recorder.kill('SIGINT');
  await stopped;
  const report = await run('perf', [
    'report',
    '-i',
    data,
    '--stdio',
    '--no-children',
    '-g',
    'none',
    '--sort',
    'dso,symbol',
    '--percent-limit',
    '0.01',
  ]);
  await server.stop();
  rmSync(`/tmp/perf-${server.pid}.map`, { force: true });
  writeFileSync(join(OUT, `${PREFIX}${framework}-${variant}.perf-report.txt`), report);
  const entries: Entry[] = [];
  for (const line of report.split('\n')) {
    const match = /^\s+([\d.]+)%\s+(\[JIT\] tid \d+|\S+)\s+\[[.k]\] (.*?)\s*(?:-\s+-\s*)?$/.exec(line);
    if (match !== null) entries.push(perfEntry(match[2] ?? '', match[3] ?? '', Number(match[1])));
  }
  const title = `${framework} ${variant} (guard ${form}, ${CODE}), perf, ${Math.round(m.requestsPerSecond)} req/s`;
  return { text: summarise(title, entries, m.cpuMicrosPerRequest), entries, cpu: m.cpuMicrosPerRequest };
}

/** µs per request per function (perf shares are of all the process's samples). */
function perRequest(entries: readonly Entry[], cpu: number): Map<string, number> {
  const map = new Map<string, number>();
  for (const e of entries) {
    const key = `${e.name}  ${e.where}`;
    map.set(key, (map.get(key) ?? 0) + (e.micros / 100) * cpu);
  }
  return map;
}

/**
 * What the Bulwark server spends per request beyond the bare one, function by function:
 * where the pipeline's cost lands (often in Node's header code, not in Bulwark's).
 */
async function perfDiff(framework: Framework, form: GuardForm, seconds: number, top = 30): Promise<string> {
  const base = (process.env.PROFILE_BASE ?? 'bare') as Variant;
  if (base !== 'bare' && base !== 'floor') throw new Error('PROFILE_BASE: bare or floor');
  const bare = await withPerf(framework, base, form, seconds);
  const ours = await withPerf(framework, 'ours', form, seconds);
  const b = perRequest(bare.entries, bare.cpu);
  const o = perRequest(ours.entries, ours.cpu);
  const keys = new Set([...b.keys(), ...o.keys()]);
  const deltas = [...keys].map((k) => [k, (o.get(k) ?? 0) - (b.get(k) ?? 0)] as const).sort((x, y) => y[1] - x[1]);
  const delta = ours.cpu - bare.cpu;
  const lines = [
    `## ${framework}: ${base} ${bare.cpu.toFixed(1)} µs, Bulwark ${ours.cpu.toFixed(1)} µs CPU per request (${delta >= 0 ? '+' : ''}${delta.toFixed(1)}); perf, ${CODE}`,
    '',
    `top ${top} functions by added self time (Bulwark minus ${base}, µs per request):`,
  ];
  for (const [key, value] of deltas.slice(0, top))
    lines.push(`  ${value >= 0 ? '+' : ''}${value.toFixed(2).padStart(5)} µs  ${key}`);
  return lines.join('\n');
}

async function main(): Promise<void> {
  const [mode = 'cpu-prof', ...names] = process.argv.slice(2).filter((a) => a !== '--');
  if (mode !== 'cpu-prof' && mode !== 'perf' && mode !== 'perf-diff')
    throw new Error('usage: profile.ts <cpu-prof|perf|perf-diff> [framework...]');
  const frameworks = names.length > 0 ? (names as Framework[]) : FRAMEWORKS;
  for (const f of frameworks) if (!FRAMEWORKS.includes(f)) throw new Error(`unknown framework ${f}`);
  const variant = (process.env.PROFILE_VARIANT ?? 'ours') as Variant;
  if (!PIPELINE_VARIANTS.includes(variant)) throw new Error(`PROFILE_VARIANT: one of ${PIPELINE_VARIANTS.join(', ')}`);
  const form = (process.env.BENCH_GUARD ?? 'each') as GuardForm;
  const seconds = Number(process.env.PROFILE_SECONDS ?? 10);
  if (STACK) {
    const secrets = await stackSecrets();
    exportSecrets(secrets);
    requestHeaders = { authorization: `Bearer ${secrets.token}` };
  }
  mkdirSync(OUT, { recursive: true });
  for (const framework of frameworks) {
    const text =
      mode === 'perf-diff'
        ? await perfDiff(framework, form, seconds)
        : mode === 'perf'
          ? (await withPerf(framework, variant, form, seconds)).text
          : await withCpuProf(framework, variant, form, seconds);
    writeFileSync(
      join(OUT, `${PREFIX}${framework}-${mode === 'perf-diff' ? 'diff' : variant}.${mode}.txt`),
      `${text}\n`,
    );
    console.log(`${text}\n`);
  }
}

await main();
