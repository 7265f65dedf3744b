import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { manualClock } from '@bulwark/core';
import { runProbe } from '@bulwark/testkit/probe';
import { readConfig } from '@bulwark-examples/notes-api/src/config.js';
import { startDemo } from '@bulwark-examples/notes-api/src/server.js';
import { median, type Result } from './harness.js';

const CLI_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../packages/cli');
const BIN = join(CLI_DIR, 'dist/bin.js');

/** Milliseconds of one run of `node args`, start to exit. */
function timeNode(args: readonly string[]): number {
  const started = performance.now();
  const run = spawnSync(process.execPath, args, { stdio: 'ignore' });
  if (run.status !== 0) throw new Error(`node ${args.join(' ')} exited ${run.status}`);
  return performance.now() - started;
}

/**
 * `bulwark --help` start-up: the built bin, spawned 15 times, median wall time, beside a bare
 * `node -e 0` on the same machine (the anchor: what any Node CLI pays before its first line).
 * Target: under 150 ms.
 */
function helpStartup(): Result {
  if (!existsSync(BIN))
    execFileSync('pnpm', ['exec', 'tsup', 'src/bin.ts', '--format', 'esm', '--target', 'es2022', '--no-clean'], {
      cwd: CLI_DIR,
      stdio: 'ignore',
    });
  timeNode([BIN, '--help']);
  const ours = median(Array.from({ length: 15 }, () => timeNode([BIN, '--help'])));
  const bare = median(Array.from({ length: 15 }, () => timeNode(['-e', '0'])));
  return {
    bench: 'cli.help.startup',
    ours: Number((1000 / ours).toFixed(1)),
    anchor: 'node -e 0',
    anchorOps: Number((1000 / bare).toFixed(1)),
    ratio: Number((bare / ours).toFixed(2)),
    help_ms: Number(ours.toFixed(1)),
    node_ms: Number(bare.toFixed(1)),
    target_ms: 150,
  };
}

/**
 * `bulwark probe` against the demo (fastify, in process, a fresh server per run since the
 * burst spends its limits): every check, told the origin, a login with refresh and writes,
 * at an unthrottled rate. Wall time of the whole run and its request count, median of 3.
 * There is no anchor: the figure is reported, not compared.
 */
async function probeWallTime(): Promise<Result> {
  const times: number[] = [];
  let requests = 0;
  for (let run = 0; run < 3; run++) {
    // A stopped clock for the limits (as the demo's tests): no window boundary mid-run.
    const clock = manualClock(Date.UTC(2026, 5, 15, 12, 0, 30));
    const demo = await startDemo({ ...readConfig({}), framework: 'fastify', port: 0, clock, onError: () => {} });
    try {
      const report = await runProbe({
        baseUrl: demo.url,
        protectedPaths: ['/v2/users/me', '/v2/notes'],
        deprecatedPaths: ['/v1/notes'],
        origin: 'http://localhost:5173',
        login: {
          path: '/auth/login',
          body: { email: 'alice@example.com', password: 'alice-demo-password' },
          refresh: { path: '/auth/refresh' },
        },
        allowWrites: true,
        rate: 10_000,
      });
      if (report.counts.fail > 0) throw new Error(`the probe failed ${report.counts.fail} checks against the demo`);
      times.push(report.durationMs);
      requests = report.requests;
    } finally {
      await demo.close();
    }
  }
  const wall = median(times);
  return {
    bench: 'cli.probe.demo',
    ours: Number((requests / (wall / 1000)).toFixed(0)),
    anchor: '-',
    anchorOps: 0,
    ratio: 0,
    wall_ms: wall,
    requests,
  };
}

export async function cliBench(): Promise<Result[]> {
  return [helpStartup(), await probeWallTime()];
}
