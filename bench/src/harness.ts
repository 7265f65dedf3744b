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

type SyncLoop = (fn: (i: number) => void, iterations: number, offset: number) => number;
type AsyncLoop = (fn: (i: number) => unknown, iterations: number) => Promise<number>;
const SYNC_LOOP = `return function opsPerSecond(fn, iterations, offset) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) fn(offset + i);
  return (iterations * 1e9) / Number(process.hrtime.bigint() - start);
}`;
const ASYNC_LOOP = `return async function asyncOpsPerSecond(fn, iterations) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) await fn(i);
  return (iterations * 1e9) / Number(process.hrtime.bigint() - start);
}`;
/**
 * A separately compiled copy of a timing loop, one per side: with one shared loop, its call
 * site (and its `await`) saw both libraries, and the half that ran right after the other
 * library paid for re-specialising it. A copy per side keeps each call site monomorphic, as
 * in an application that uses one of the two.
 */
const loopCopy = <T>(source: string): T => new Function('process', source)(process) as T;

/** A timing loop of its own (see above) that awaits each operation and answers ops/s. */
export const asyncTimer = (): AsyncLoop => loopCopy<AsyncLoop>(ASYNC_LOOP);

/** A full collection, where the bench runs with `--expose-gc`. */
export const collectGarbage = (): void => (globalThis as { gc?: () => void }).gc?.();

export const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};

/**
 * The median over pairs of consecutive rounds (one with ours first, one with ours last) of
 * the geometric mean of the pair's two ratios: see {@link alternate}.
 */
export function pairedMedian(ratios: readonly number[]): number {
  const paired: number[] = [];
  for (let i = 0; i + 1 < ratios.length; i += 2)
    paired.push(Math.sqrt((ratios[i] as number) * (ratios[i + 1] as number)));
  return median(paired);
}

/**
 * Alternates the two measurements round by round, ours first on even rounds and second on
 * odd ones. Reports the median ops/s of each side and, as the ratio, the median over
 * pairs of rounds of the geometric mean of the pair's two ratios:
 * - within a round the two halves run back to back, so a slow phase of this shared machine
 *   (a noisy neighbour lasting a second or two) slows both and cancels out of its ratio;
 * - within a pair each side runs once first and once second, so what one half leaves to the
 *   next (garbage, a young generation sized by the other library's allocations) weighs on
 *   both sides equally. Measured on memory.allow: 1.9 to 2.0 in rounds where ours ran
 *   first, 1.45 to 1.65 where it ran second; a median over single rounds fell on either
 *   side of that split from one run to the next.
 */
export async function alternate(
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
    if (process.env.BENCH_DEBUG) console.log(round, Math.round(x), Math.round(y), (x / y).toFixed(2));
  }
  return { ours: Math.round(median(a)), anchorOps: Math.round(median(b)), ratio: pairedMedian(ratios) };
}

export function result(bench: string, anchor: string, m: { ours: number; anchorOps: number; ratio: number }): Result {
  return { bench, ours: m.ours, anchor, anchorOps: m.anchorOps, ratio: Number(m.ratio.toFixed(2)) };
}

/**
 * Runs ours and theirs in alternating rounds in this one process (so both see the same
 * JIT state, GC pressure and CPU frequency) and reports the median of each.
 */
export async function compare(c: Comparison, options: { rounds?: number; iterations?: number } = {}): Promise<Result> {
  const rounds = options.rounds ?? 32;
  const iterations = options.iterations ?? 25_000;
  const timeOurs = loopCopy<SyncLoop>(SYNC_LOOP);
  const timeTheirs = loopCopy<SyncLoop>(SYNC_LOOP);
  // Warm up both until the JIT has settled.
  timeOurs(c.ours, iterations, 0);
  timeTheirs(c.theirs, iterations, 0);
  const m = await alternate(
    rounds,
    (round) => timeOurs(c.ours, iterations, round * iterations),
    (round) => timeTheirs(c.theirs, iterations, round * iterations),
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

/** The async twin of {@link compare}, for whole-route benchmarks (`inject`, `app.request`). */
export async function compareAsync(
  c: AsyncComparison,
  options: { rounds?: number; iterations?: number } = {},
): Promise<Result> {
  const rounds = options.rounds ?? 10;
  const iterations = options.iterations ?? 2_000;
  const timeOurs = asyncTimer();
  const timeTheirs = asyncTimer();
  await timeOurs(c.ours, iterations);
  await timeTheirs(c.theirs, iterations);
  const m = await alternate(
    rounds,
    () => timeOurs(c.ours, iterations),
    () => timeTheirs(c.theirs, iterations),
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
