import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

/**
 * CPU pinning for the HTTP benches: the server process on the last CPU, the load generator
 * (this process) on the others, so the two never trade cores mid-run.
 *
 * Why: on the 2-vCPU benchmark machine, rounds of the same server spread far less pinned
 * (2026-12-04, five rounds of bare Fastify: 17.3-19.1 µs of CPU per request pinned, 18.7-29.8
 * unpinned minutes later; docs/performance.md). On with `taskset` (util-linux) and at least
 * two CPUs; BENCH_PIN=0 turns it off.
 */
export interface Pinning {
  /** Pins a server process, all its threads (its GC and libuv threads count as its CPU). */
  server(pid: number): void;
  /** Gives this process back the CPUs it had before. */
  release(): void;
}

const NONE: Pinning = { server() {}, release() {} };

function taskset(args: readonly string[]): string {
  return execFileSync('taskset', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
}

/**
 * Pins this process to every CPU but the last and answers how to pin servers to the last,
 * or does nothing (saying so when `taskset` is missing) where that cannot be done.
 *
 * @example
 * ```ts
 * const pinning = pinCpus();
 * try { pinning.server(server.pid); ... } finally { pinning.release(); }
 * ```
 */
export function pinCpus(): Pinning {
  if (process.env.BENCH_PIN === '0') return NONE;
  const cpus = availableParallelism();
  if (cpus < 2) return NONE;
  let before: string;
  try {
    // "pid 123's current affinity list: 0,1"
    before =
      taskset(['-c', '-p', String(process.pid)])
        .split(':')
        .pop()
        ?.trim() ?? '';
  } catch {
    console.log('(no taskset here: the HTTP servers are not pinned to a CPU)');
    return NONE;
  }
  const last = String(cpus - 1);
  taskset(['-a', '-c', '-p', cpus === 2 ? '0' : `0-${cpus - 2}`, String(process.pid)]);
  return {
    server(pid) {
      taskset(['-a', '-c', '-p', last, String(pid)]);
    },
    release() {
      if (before !== '') taskset(['-a', '-c', '-p', before, String(process.pid)]);
    },
  };
}
