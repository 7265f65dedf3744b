import { monitorEventLoopDelay } from 'node:perf_hooks';
import { type Argon2Engine, pureArgon2Engine } from '@bulwark/passwords';
import { nodeArgon2Engine, passwordHasher } from '@bulwark/passwords/node';
import argon2 from 'argon2';
import { argon2id as wasmArgon2id } from 'hash-wasm';
import { alternate, collectGarbage, median, type Result, result } from './harness.js';

// Argon2id at OWASP's parameters (m = 19 MiB, t = 2, p = 1), the hasher's defaults.
// For each engine: the median ms per hash, one at a time, and the event-loop delay p99
// while eight hash at once (a 1 ms timer; 0 ticks means the loop was blocked throughout).
// Then `passwords.hash`: our hasher as users call it against node-argon2's `hash`, the
// library users reach for today, alternating, and the loop delay while eight logins hash.

const M = 19_456;
const T = 2;
const P = 1;
const PASSWORD = 'correct horse battery staple';
const encoder = new TextEncoder();

const wasmEngine: Argon2Engine = {
  name: 'hash-wasm',
  offThread: false,
  argon2id: (input) =>
    wasmArgon2id({
      password: input.password,
      salt: input.salt,
      memorySize: input.memory,
      iterations: input.passes,
      parallelism: input.parallelism,
      hashLength: input.hashLength,
      outputType: 'binary',
    }),
};

const nodeArgon2: Argon2Engine = {
  name: 'argon2 (node-argon2)',
  offThread: true,
  argon2id: async (input) =>
    new Uint8Array(
      await argon2.hash(Buffer.from(input.password), {
        type: argon2.argon2id,
        memoryCost: input.memory,
        timeCost: input.passes,
        parallelism: input.parallelism,
        hashLength: input.hashLength,
        salt: Buffer.from(input.salt),
        raw: true,
      }),
    ),
};

const ENGINES: ReadonlyArray<{ readonly key: string; readonly engine: Argon2Engine }> = [
  { key: 'node-rs', engine: nodeArgon2Engine() },
  { key: 'node-argon2', engine: nodeArgon2 },
  { key: 'hash-wasm', engine: wasmEngine },
  { key: 'noble', engine: pureArgon2Engine() },
];

const input = (i: number) => ({
  password: encoder.encode(`${PASSWORD} ${i}`),
  salt: crypto.getRandomValues(new Uint8Array(16)),
  memory: M,
  passes: T,
  parallelism: P,
  hashLength: 32,
});

/** The event loop while `run` works: delay p99 and max (ms) and how often a 1 ms timer fired. */
async function loopWhile(run: () => Promise<unknown>) {
  collectGarbage();
  const delay = monitorEventLoopDelay({ resolution: 1 });
  let ticks = 0;
  const timer = setInterval(() => ticks++, 1);
  delay.enable();
  const started = performance.now();
  await run();
  const wallMs = performance.now() - started;
  delay.disable();
  clearInterval(timer);
  // A loop blocked throughout records no sample at all: report the whole batch as the stall.
  const blocked = ticks === 0;
  return {
    wallMs: Math.round(wallMs),
    p99: blocked ? Math.round(wallMs) : Number((delay.percentile(99) / 1e6).toFixed(1)),
    max: blocked ? Math.round(wallMs) : Number((delay.max / 1e6).toFixed(1)),
    ticks,
  };
}

async function msPerHash(engine: Argon2Engine, samples: number): Promise<number> {
  await engine.argon2id(input(-1));
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const started = performance.now();
    await engine.argon2id(input(i));
    times.push(performance.now() - started);
  }
  return median(times);
}

/** ops/s of `engine` over `count` sequential hashes. */
async function opsPerSecond(engine: Argon2Engine, count: number): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < count; i++) await engine.argon2id(input(i));
  return (count * 1000) / (performance.now() - started);
}

/**
 * One line per engine: its median ms per hash, and its speed against @node-rs/argon2 in
 * alternating rounds (a slow phase of this shared machine slows both sides of a round),
 * then the loop while eight hash at once.
 */
async function engineLines(): Promise<Result[]> {
  const reference = ENGINES[0]?.engine as Argon2Engine;
  const lines: Result[] = [];
  for (const { key, engine } of ENGINES) {
    const slow = !engine.offThread;
    const ms = await msPerHash(engine, slow ? 5 : 11);
    const m = await alternate(
      slow ? 4 : 8,
      () => opsPerSecond(engine, slow ? 1 : 4),
      () => opsPerSecond(reference, 4),
    );
    const eight = await loopWhile(() => Promise.all(Array.from({ length: 8 }, (_, i) => engine.argon2id(input(i)))));
    lines.push({
      ...result(`passwords.engine.${key}`, '@node-rs/argon2', m),
      ours: Number(m.ours.toFixed(1)),
      anchorOps: Number(m.anchorOps.toFixed(1)),
      medianMs: Number(ms.toFixed(1)),
      eightWallMs: eight.wallMs,
      eightLoopP99Ms: eight.p99,
      eightLoopMaxMs: eight.max,
      eightTimerTicks: eight.ticks,
    });
  }
  return lines;
}

export async function passwordsBench(): Promise<Result[]> {
  const lines = await engineLines();

  // Our hasher as users call it (NFKC, salt, PHC string, the bound) against node-argon2's hash.
  const hasher = passwordHasher();
  const perRound = 4;
  const timed = async (fn: (i: number) => Promise<string>) => {
    const started = performance.now();
    for (let i = 0; i < perRound; i++) await fn(i);
    return (perRound * 1000) / (performance.now() - started);
  };
  const ours = (i: number) => hasher.hash(`${PASSWORD} ${i}`);
  const theirs = (i: number) =>
    argon2.hash(`${PASSWORD} ${i}`, { type: argon2.argon2id, memoryCost: M, timeCost: T, parallelism: P });
  await timed(ours);
  await timed(theirs);
  const m = await alternate(
    12,
    () => timed(ours),
    () => timed(theirs),
  );
  const stored = await hasher.hash(PASSWORD);
  const logins = (h: typeof hasher) => () =>
    Promise.all(Array.from({ length: 8 }, (_, i) => h.verify(stored, `attempt ${i}`)));
  const atDefault = await loopWhile(logins(hasher));
  const at: Record<string, number> = {};
  for (const n of [1, 2, 4]) {
    const figures = await loopWhile(logins(passwordHasher({ maxConcurrent: n })));
    at[`eightLoginsWallMsAt${n}`] = figures.wallMs;
    at[`eightLoginsLoopP99MsAt${n}`] = figures.p99;
  }
  lines.unshift({
    ...result('passwords.hash', 'argon2', m),
    ours: Number(m.ours.toFixed(1)),
    anchorOps: Number(m.anchorOps.toFixed(1)),
    medianMs: Number((1000 / m.ours).toFixed(1)),
    anchorMedianMs: Number((1000 / m.anchorOps).toFixed(1)),
    maxConcurrent: hasher.limits.maxConcurrent,
    eightLoginsWallMs: atDefault.wallMs,
    eightLoginsLoopP99Ms: atDefault.p99,
    eightLoginsLoopMaxMs: atDefault.max,
    ...at,
  });
  return lines;
}
