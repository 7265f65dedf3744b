import { requestView, type SecurityEvent } from '@bulwark/core';
import { rateLimitPolicy } from '@bulwark/ratelimit';
import type { Cluster, Redis } from 'ioredis';
import { expect } from 'vitest';
import { redisRateLimitStore } from '../store.js';

/** A Redis (or Cluster) the scenario can stall. */
export interface StallTarget {
  /** The client the store uses; created with `enableOfflineQueue: false`. */
  readonly client: Redis | Cluster;
  /**
   * Stalls every node that may hold the scenario's key for `ms`, from connections of its
   * own (`CLIENT PAUSE <ms> ALL`), and resolves once the pause is in force.
   */
  pause(ms: number): Promise<void>;
}

/** The Redis count of the scenario's key after each phase, and what the policy did. */
export interface StallReport {
  /** After the one request made before any stall. */
  readonly before: number;
  /** After `requests` requests answered by the fallback during a stall, and its end. */
  readonly afterConsumes: number;
  /** How the stalled requests were answered (`allow` or `deny`). */
  readonly answers: readonly string[];
  readonly fallbacks: number;
  /** After a refund that failed during a stall, and the stall's end. */
  readonly afterRefund: number;
  readonly refundError: unknown;
  /** After a reset that failed during a stall, and the stall's end. */
  readonly afterReset: number;
  readonly resetError: unknown;
  /** After one more request once Redis answers again. */
  readonly afterRecovery: number;
  /** Unhandled rejections seen while the scenario ran (late replies must not cause any). */
  readonly unhandled: readonly unknown[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const HOUR_MS = 3_600_000;

/**
 * A fixed window (ms, about an hour) that does not end within `marginMs` of Redis's `now`.
 * A fixed-window key expires when its window ends (lua.ts, `PEXPIRE` to the window's end),
 * so a window ending mid-scenario empties the count: it reads 0 where 1 is expected, which
 * looks exactly like a late refund or reset having applied. With a one-minute window that
 * happened about once in six runs (two scenarios of ~5 s each, 5/60 per scenario). Windows
 * are aligned to multiples of their length, so a slightly longer one ends elsewhere:
 * lengthening by a second moves the end by about as many seconds as there are whole
 * windows since the epoch (some 490 for an hour), so the loop ends within a step or two.
 */
export function windowClearOf(nowMs: number, marginMs: number): number {
  let windowMs = HOUR_MS;
  while (windowMs - (nowMs % windowMs) < marginMs) windowMs += 1000;
  return windowMs;
}

/**
 * The issue-14 scenario: a fallback policy over Redis; Redis stalls while requests,
 * a refund and a reset are in flight; the failure policy answers them; then Redis resumes
 * and runs what was queued. Nothing answered by the failure policy may change Redis.
 */
export async function runStallScenario(
  target: StallTarget,
  { requests = 20, pauseMs = 1200, timeoutMs = 300 } = {},
): Promise<StallReport> {
  const run = `${process.pid}${Date.now() % 1_000_000}`;
  const name = `stall${run}`.slice(0, 32);
  const prefix = `bulwark:test-stall-${run}`;
  const ip = '203.0.113.9';
  const key = `${prefix}:fw:{${ip}}:${name}:anon:${ip}`;
  const events: SecurityEvent[] = [];
  // Redis's clock decides the window (lua.ts); the margin covers the three stalls and the
  // rest of the scenario many times over, on a loaded machine too.
  const [seconds, micros] = await target.client.time();
  const redisNow = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
  const windowMs = windowClearOf(redisNow, 10 * (3 * (pauseMs + 100)) + 60_000);
  const limiter = rateLimitPolicy({
    name,
    limits: [{ name: 'anon', limit: 1000, window: windowMs }],
    store: redisRateLimitStore(target.client, { prefix }),
    failure: { mode: 'fallback', timeout: timeoutMs },
    onEvent: (e) => events.push(e),
  });
  const view = requestView({ method: 'GET', path: '/v2/x', clientIp: ip });
  // Read on the store's own client: commands on one connection run in order, so the count
  // is read after every script that was queued behind the stall.
  const count = async (): Promise<number> => {
    const fields = await target.client.hgetall(key);
    return Object.entries(fields)
      .filter(([field]) => field !== 'b')
      .reduce((sum, [, value]) => sum + Number(value), 0);
  };
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  // A warm-up on another key loads the script and teaches the store the clock offset, so
  // that the counted requests below do not pay for either: on a loaded machine the first
  // call could miss its deadline and count nothing, which is this file's subject, not a
  // defect (seen once, with the test suite and benchmarks sharing two cores).
  const warmUp = requestView({ method: 'GET', path: '/v2/x', clientIp: '203.0.113.10' });
  try {
    await limiter.evaluate(warmUp);
    await limiter.reset(warmUp);
    await limiter.evaluate(view);
    const before = await count();

    await target.pause(pauseMs);
    const decisions = await Promise.all(Array.from({ length: requests }, () => limiter.evaluate(view)));
    await sleep(pauseMs + 100);
    const afterConsumes = await count();

    await target.pause(pauseMs);
    const refundError = await limiter.refund(view).then(
      () => undefined,
      (error: unknown) => error,
    );
    await sleep(pauseMs + 100);
    const afterRefund = await count();

    await target.pause(pauseMs);
    const resetError = await limiter.reset(view).then(
      () => undefined,
      (error: unknown) => error,
    );
    await sleep(pauseMs + 100);
    const afterReset = await count();

    await limiter.evaluate(view);
    const afterRecovery = await count();
    // A turn of the event loop for any late rejection to surface.
    await sleep(50);
    return {
      before,
      afterConsumes,
      answers: decisions.map((d) => d.kind),
      fallbacks: events.filter((e) => e.type === 'ratelimit.fallback').length,
      afterRefund,
      refundError,
      afterReset,
      resetError,
      afterRecovery,
      unhandled,
    };
  } finally {
    process.off('unhandledRejection', onUnhandled);
    await target.client.del(key);
  }
}

/** What every stall scenario must show (see testing/stall.ts). */
export function expectNothingCountedLate(report: StallReport, requests = 20): void {
  expect(report.before).toBe(1);
  // The failure policy answered every request of the stall...
  expect(report.answers).toEqual(Array.from({ length: requests }, () => 'allow'));
  expect(report.fallbacks).toBe(requests);
  // ...and none of them counted in Redis when it resumed.
  expect(report.afterConsumes).toBe(1);
  // A refund and a reset that failed (the caller was told) changed nothing later either.
  expect(report.refundError).toMatchObject({ code: 'store_unavailable' });
  expect(report.afterRefund).toBe(1);
  expect(report.resetError).toMatchObject({ code: 'store_unavailable' });
  expect(report.afterReset).toBe(1);
  // Redis counts again once it answers.
  expect(report.afterRecovery).toBe(2);
  expect(report.unhandled).toEqual([]);
}
