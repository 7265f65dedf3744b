import { type LoadOptions, type Measurement, measure, type ServerProcess } from './load.js';
import { type Pinning, pinCpus } from './pinning.js';

/** How `freshRounds` runs: the variants, how to start one, and the load. */
export interface RoundsPlan<V extends string> {
  readonly variants: readonly V[];
  /** A new, checked server process of one variant (called once per variant per round). */
  start(variant: V): Promise<ServerProcess>;
  readonly load: LoadOptions;
  readonly rounds: number;
  /** Seconds of load before each process's measured run. */
  readonly warmup: number;
  /** Names the runs in BENCH_DEBUG's per-run lines (the framework). */
  readonly label: string;
  /** Runs once, on the first round's servers before any load: throws to stop the bench. */
  checkFirstRound?(servers: ReadonlyMap<V, ServerProcess>): Promise<void>;
}

/** The variants in the order of one round: rotated by one each round, so no variant always runs first. */
export function roundOrder<V>(variants: readonly V[], round: number): V[] {
  const shift = round % variants.length;
  return [...variants.slice(shift), ...variants.slice(0, shift)];
}

/**
 * Alternating rounds, each on fresh server processes: a round starts one new process per
 * variant, warms each up, measures each back to back (the order rotating by one each
 * round), and stops them all. Servers run pinned to one CPU and this process (autocannon)
 * to the others (see `pinCpus`).
 *
 * Why fresh processes: on these 2-vCPU machines two processes running the same server
 * code settle at different speeds and stay there (measured on 2026-12-04: four Bulwark
 * Fastify servers at 25.1, 28.5, 29.2 and 30.9 µs of CPU per request, four `floor` servers
 * at 19.9 to 23.5, in interleaved rounds). With one process per variant for the whole run,
 * that per-process luck was in every round's ratio at once; a fresh set per round turns it
 * into round-to-round spread, which the median over rounds absorbs.
 *
 * @example
 * ```ts
 * const figures = await freshRounds({ label: 'fastify', variants: ['bare', 'ours'], start, load, rounds: 5, warmup: 2 });
 * figures.ours[0]?.requestsPerSecond;
 * ```
 */
export async function freshRounds<V extends string>(plan: RoundsPlan<V>): Promise<Record<V, Measurement[]>> {
  const figures = Object.fromEntries(plan.variants.map((v) => [v, [] as Measurement[]])) as Record<V, Measurement[]>;
  const pinning = pinCpus();
  try {
    for (let round = 0; round < plan.rounds; round++) await runRound(plan, round, figures, pinning);
  } finally {
    pinning.release();
  }
  return figures;
}

/** One round of `freshRounds`: start and pin a server per variant, warm each up, measure each, stop them. */
async function runRound<V extends string>(
  plan: RoundsPlan<V>,
  round: number,
  figures: Record<V, Measurement[]>,
  pinning: Pinning,
): Promise<void> {
  const servers = new Map<V, ServerProcess>();
  try {
    for (const variant of plan.variants) {
      const server = await plan.start(variant);
      servers.set(variant, server);
      pinning.server(server.pid);
    }
    if (round === 0) await plan.checkFirstRound?.(servers);
    const order = roundOrder(plan.variants, round);
    for (const variant of order)
      await measure(servers.get(variant) as ServerProcess, { ...plan.load, duration: plan.warmup });
    for (const variant of order) {
      const m = await measure(servers.get(variant) as ServerProcess, plan.load);
      figures[variant].push(m);
      if (process.env.BENCH_DEBUG)
        console.log(
          `${plan.label} round ${round} ${variant.padEnd(6)} ${Math.round(m.requestsPerSecond)} req/s ${m.cpuMicrosPerRequest.toFixed(1)} µs/req`,
        );
    }
  } finally {
    for (const server of servers.values()) await server.stop();
  }
}
