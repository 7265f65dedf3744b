/**
 * Profiles one benchmark server under the HTTP bench's load and prints where its CPU goes,
 * as self time per request (issue #13, section 6: "profile before and after").
 *
 *   pnpm --filter @bulwark/bench profile:http cpu-prof fastify express   (V8 --cpu-prof)
 *   pnpm --filter @bulwark/bench profile:http perf hono                  (perf + --perf-basic-prof)
 *
 * PROFILE_VARIANT=bare|ours|anchor (default ours), PROFILE_SECONDS (default 10),
 * BENCH_GUARD=list|each (default each). Raw files and summaries go to bench/profiles/
 * (gitignored). `--cpu-prof` samples through V8 and is known to distort these servers
 * (it deoptimises and inflates small functions); perf samples the process from outside.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { measure, type ServerProcess, spawnServer } from './load.js';
import { FRAMEWORKS, type Framework, type GuardForm, VARIANTS, type Variant } from './scenario.js';

const ROOT = new URL('../../../', import.meta.url).pathname;
const OUT = join(ROOT, 'bench/profiles');
const CONNECTIONS = 10;

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
    const where = url === '' ? '' : `${relative(ROOT, url.replace(/^file:\/\//, ''))}:${lineNumber + 1}`;
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
  await measure(server, { connections: CONNECTIONS, duration: 2 }); // warm-up
  return measure(server, { connections: CONNECTIONS, duration: seconds });
}

async function withCpuProf(framework: Framework, variant: Variant, form: GuardForm, seconds: number) {
  const name = `${framework}-${variant}`;
  for (const f of readdirSync(OUT)) if (f.startsWith(`${name}.`) && f.endsWith('.cpuprofile')) rmSync(join(OUT, f));
  const file = join(OUT, `${name}.cpuprofile`);
  const server = await spawnServer(framework, variant, form, {
    nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${OUT}`, `--cpu-prof-name=${name}.cpuprofile`],
  });
  const m = await loadFor(server, seconds);
  await server.stop();
  const title = `${framework} ${variant} (guard ${form}), --cpu-prof, ${Math.round(m.requestsPerSecond)} req/s`;
  return summarise(title, cpuProfileEntries(file), m.cpuMicrosPerRequest);
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

/** perf's flat self-time report for the process, each line also in µs per request. */
async function withPerf(framework: Framework, variant: Variant, form: GuardForm, seconds: number) {
  const data = join(OUT, `${framework}-${variant}.perf.data`);
  const server = await spawnServer(framework, variant, form, { nodeArgs: ['--perf-basic-prof'] });
  await measure(server, { connections: CONNECTIONS, duration: 2 }); // warm-up
  const recorder = spawn(
    'perf',
    ['record', '-e', 'cpu-clock', '-F', '4000', '-g', '-p', String(server.pid), '-o', data],
    {
      stdio: 'ignore',
    },
  );
  await new Promise((resolve) => setTimeout(resolve, 300));
  const m = await measure(server, { connections: CONNECTIONS, duration: seconds });
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
    '0.4',
  ]);
  await server.stop();
  rmSync(`/tmp/perf-${server.pid}.map`, { force: true });
  const lines = [
    `## ${framework} ${variant} (guard ${form}), perf, ${Math.round(m.requestsPerSecond)} req/s: ${m.cpuMicrosPerRequest.toFixed(1)} µs CPU per request`,
    '',
  ];
  for (const line of report.split('\n')) {
    const match = /^\s+([\d.]+)%\s+(.*)$/.exec(line);
    if (match === null) continue;
    const share = Number(match[1]) / 100;
    lines.push(`  ${match[1]?.padStart(5)}% ${(share * m.cpuMicrosPerRequest).toFixed(2).padStart(6)} µs  ${match[2]}`);
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const [mode = 'cpu-prof', ...names] = process.argv.slice(2).filter((a) => a !== '--');
  if (mode !== 'cpu-prof' && mode !== 'perf') throw new Error('usage: profile.ts <cpu-prof|perf> [framework...]');
  const frameworks = names.length > 0 ? (names as Framework[]) : FRAMEWORKS;
  for (const f of frameworks) if (!FRAMEWORKS.includes(f)) throw new Error(`unknown framework ${f}`);
  const variant = (process.env.PROFILE_VARIANT ?? 'ours') as Variant;
  if (!VARIANTS.includes(variant)) throw new Error(`PROFILE_VARIANT: one of ${VARIANTS.join(', ')}`);
  const form = (process.env.BENCH_GUARD ?? 'each') as GuardForm;
  const seconds = Number(process.env.PROFILE_SECONDS ?? 10);
  mkdirSync(OUT, { recursive: true });
  for (const framework of frameworks) {
    const text =
      mode === 'perf'
        ? await withPerf(framework, variant, form, seconds)
        : await withCpuProf(framework, variant, form, seconds);
    writeFileSync(join(OUT, `${framework}-${variant}.${mode}.txt`), `${text}\n`);
    console.log(`${text}\n`);
  }
}

await main();
