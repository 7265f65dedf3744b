import { cpus } from 'node:os';

export interface Comparison {
  /** Stable name, such as `cors.decision.100origins`. */
  readonly bench: string;
  readonly anchor: string;
  /** One operation of ours; must do the same work as `theirs`. */
  ours(i: number): void;
  theirs(i: number): void;
  /** Extra fields for the JSON line. */
  readonly extra?: () => Record<string, number | string>;
}

export interface Result {
  readonly bench: string;
  readonly ours: number;
  readonly anchor: string;
  readonly anchorOps: number;
  readonly ratio: number;
  readonly [extra: string]: number | string;
}

function opsPerSecond(fn: (i: number) => void, iterations: number, offset: number): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) fn(offset + i);
  const ns = Number(process.hrtime.bigint() - start);
  return (iterations * 1e9) / ns;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};

/**
 * Alternates the two measurements round by round (ours first on even rounds). Reports the
 * median ops/s of each side and, as the ratio, the median of the per-round ratios: the two
 * halves of a round run back to back, so a slow phase of this shared machine (a noisy
 * neighbour lasting a second or two) slows both and cancels out of that round's ratio.
 */
async function alternate(
  rounds: number,
  ours: (round: number) => Promise<number> | number,
  theirs: (round: number) => Promise<number> | number,
) {
  const a: number[] = [];
  const b: number[] = [];
  const ratios: number[] = [];
  for (let round = 0; round < rounds; round++) {
    let x: number;
    let y: number;
    if (round % 2 === 0) {
      x = await ours(round);
      y = await theirs(round);
    } else {
      y = await theirs(round);
      x = await ours(round);
    }
    a.push(x);
    b.push(y);
    ratios.push(x / y);
  }
  return { ours: Math.round(median(a)), anchorOps: Math.round(median(b)), ratio: median(ratios) };
}

function result(bench: string, anchor: string, m: { ours: number; anchorOps: number; ratio: number }): Result {
  return { bench, ours: m.ours, anchor, anchorOps: m.anchorOps, ratio: Number(m.ratio.toFixed(2)) };
}

/**
 * Runs ours and theirs in alternating rounds in this one process (so both see the same
 * JIT state, GC pressure and CPU frequency) and reports the median of each.
 */
export async function compare(c: Comparison, options: { rounds?: number; iterations?: number } = {}): Promise<Result> {
  const rounds = options.rounds ?? 31;
  const iterations = options.iterations ?? 25_000;
  // Warm up both until the JIT has settled.
  opsPerSecond(c.ours, iterations, 0);
  opsPerSecond(c.theirs, iterations, 0);
  const m = await alternate(
    rounds,
    (round) => opsPerSecond(c.ours, iterations, round * iterations),
    (round) => opsPerSecond(c.theirs, iterations, round * iterations),
  );
  return { ...result(c.bench, c.anchor, m), ...c.extra?.() };
}

/** Each operation is awaited; one that answers synchronously is awaited all the same. */
export interface AsyncComparison {
  readonly bench: string;
  readonly anchor: string;
  ours(i: number): unknown;
  theirs(i: number): unknown;
}

async function asyncOpsPerSecond(fn: (i: number) => unknown, iterations: number): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) await fn(i);
  return (iterations * 1e9) / Number(process.hrtime.bigint() - start);
}

/** The async twin of {@link compare}, for whole-route benchmarks (`inject`, `app.request`). */
export async function compareAsync(
  c: AsyncComparison,
  options: { rounds?: number; iterations?: number } = {},
): Promise<Result> {
  const rounds = options.rounds ?? 9;
  const iterations = options.iterations ?? 2_000;
  await asyncOpsPerSecond(c.ours, iterations);
  await asyncOpsPerSecond(c.theirs, iterations);
  const m = await alternate(
    rounds,
    () => asyncOpsPerSecond(c.ours, iterations),
    () => asyncOpsPerSecond(c.theirs, iterations),
  );
  return result(c.bench, c.anchor, m);
}

/** Prints a table and one JSON line per result. */
export function report(results: readonly Result[]): void {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  console.log(`\n# ${cpu}, ${cpus().length} cores, Node ${process.version}\n`);
  console.log(
    `${'bench'.padEnd(30)} ${'ours ops/s'.padStart(14)} ${'anchor'.padEnd(10)} ${'anchor ops/s'.padStart(14)} ${'ratio'.padStart(7)}`,
  );
  for (const r of results) {
    console.log(
      `${r.bench.padEnd(30)} ${r.ours.toLocaleString('en-US').padStart(14)} ${r.anchor.padEnd(10)} ${r.anchorOps.toLocaleString('en-US').padStart(14)} ${r.ratio.toFixed(2).padStart(7)}`,
    );
  }
  console.log('');
  for (const r of results) console.log(JSON.stringify(r));
}
