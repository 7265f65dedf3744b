import { redisRefreshTokenStore } from '@bulwark/redis';
import { type RefreshTokenStore, refreshTokens } from '@bulwark/tokens';
import { Redis } from 'ioredis';
import { median, type Result } from '../harness.js';
import { startChains } from './rotations.js';

/**
 * `tokens.refresh.memory` and `tokens.refresh.redis` (issue #16): rotations per second
 * through the real `refreshTokens(...)` (hash of the presented token and of the child,
 * the store's rotate, and with a grace window the child sealed under the parent: HKDF +
 * AES-256-GCM), 64 families rotated at once. A report: no JavaScript library offers
 * refresh rotation with reuse detection to compare with (hosted identity providers do),
 * so there is no anchor and no ratio. The Redis figure comes with the round trips per
 * rotation, counted by MONITOR on the server (must be 1: one EVALSHA).
 */
const CHAINS = 64;
const ROUNDS = 8;
const NO_ANCHOR = 'none (report)';

/** Median rotations/s of `rounds` rounds, the grace window on and off alternating. */
async function measure(store: () => RefreshTokenStore | undefined, total: number, run: string) {
  const on = await startChains(refreshTokens({ store: store(), grace: '10s' }), CHAINS, `${run}-on`);
  const off = await startChains(refreshTokens({ store: store() }), CHAINS, `${run}-off`);
  await on.run(total);
  await off.run(total);
  const samples = { on: [] as number[], off: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const);
    for (const which of order) samples[which].push(await (which === 'on' ? on : off).run(total));
  }
  return { graceOn: Math.round(median(samples.on)), graceOff: Math.round(median(samples.off)) };
}

function reportOf(
  bench: string,
  figures: { graceOn: number; graceOff: number },
  extra: Record<string, number | string>,
): Result {
  return {
    bench,
    ours: figures.graceOn,
    anchor: NO_ANCHOR,
    anchorOps: 0,
    ratio: 0,
    graceOffOps: figures.graceOff,
    chains: CHAINS,
    ...extra,
  };
}

/** Commands the server received from `client` while `op` ran, per MONITOR. */
async function commandsDuring(client: Redis, op: () => Promise<unknown>): Promise<number> {
  const address = /(?:^|\s)addr=(\S+)/.exec((await client.call('CLIENT', 'INFO')) as string)?.[1];
  const monitor = await client.monitor();
  let seen = 0;
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    if (source === address && String(args[0]).toLowerCase() !== 'ping') seen++;
  });
  try {
    const settle = async () => {
      await client.ping();
      await new Promise((r) => setTimeout(r, 200));
    };
    await settle();
    seen = 0;
    await op();
    await settle();
    return seen;
  } finally {
    monitor.disconnect();
  }
}

async function redisReport(run: string): Promise<Result> {
  const client = new Redis({ host: '127.0.0.1', port: 6379, enableAutoPipelining: false });
  const prefix = `bench:refresh:${run}`;
  try {
    await client.ping();
    const store = redisRefreshTokenStore({ client, prefix });
    const figures = await measure(() => store, 4_000, run);
    const rotations = 1_000;
    const chains = await startChains(refreshTokens({ store, grace: '10s' }), 8, `${run}-count`);
    const commands = await commandsDuring(client, () => chains.run(rotations));
    const roundTrips = commands / rotations;
    console.log(
      `tokens.refresh.redis: ${commands} commands for ${rotations} rotations = ${roundTrips} round trip(s) per rotation`,
    );
    if (roundTrips !== 1) console.error('!!! a rotation must be exactly one round trip');
    return reportOf('tokens.refresh.redis', figures, { roundTripsPerRotation: roundTrips });
  } finally {
    // The bench's families would live a week: drop them.
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length > 0) await client.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
    client.disconnect();
  }
}

export async function refreshBench(): Promise<Result[]> {
  const run = `${process.pid}-${Date.now()}`;
  console.log(
    'tokens.refresh: no anchor library exists (none offers refresh rotation with reuse detection): a report, no ratio',
  );
  // A fresh memory store per factory: the default one.
  const memory = reportOf('tokens.refresh.memory', await measure(() => undefined, 10_000, run), {});
  if (process.env.BENCH_ONLY === 'memory') return [memory];
  return [memory, await redisReport(run)];
}
