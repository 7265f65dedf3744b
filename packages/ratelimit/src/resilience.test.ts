import { requestView } from '@bulwark/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { memoryStore } from './memory-store.js';
import { rateLimitPolicy } from './policy.js';
import type { RateLimitStore } from './port.js';

const view = requestView({ method: 'GET', path: '/v2/notes', clientIp: '203.0.113.7' });
const limits = [{ name: 'anon', limit: 3, window: '60s' }] as const;

describe('the failure policy tells the store when it stops waiting', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('passes consume, refund and reset the deadline (Date.now() + timeout); peek changes nothing and gets none', async () => {
    const seen: Record<string, unknown[]> = {};
    const memory: RateLimitStore = memoryStore();
    const store: RateLimitStore = {
      name: 'recording',
      consume: (...args) => {
        seen.consume = args;
        return Promise.resolve(memory.consume(...args));
      },
      peek: (...args) => {
        seen.peek = args;
        return Promise.resolve(memory.peek(...args));
      },
      refund: (...args) => {
        seen.refund = args;
        return Promise.resolve(memory.refund(...args));
      },
      reset: (...args) => {
        seen.reset = args;
        return Promise.resolve(memory.reset(...args));
      },
    };
    const limiter = rateLimitPolicy({ store, limits: [...limits], failure: { mode: 'fallback', timeout: 250 } });
    const near = (deadline: unknown) => {
      expect(typeof deadline).toBe('number');
      expect(Math.abs((deadline as number) - (Date.now() + 250))).toBeLessThan(100);
    };
    await limiter.evaluate(view);
    expect(seen.consume?.[3]).toBeUndefined(); // no synthetic time
    near(seen.consume?.[4]);
    await limiter.peek(view);
    expect(seen.peek).toHaveLength(3);
    await limiter.refund(view);
    near(seen.refund?.[4]);
    await limiter.reset(view);
    near(seen.reset?.[1]);
  });

  it('reads no clock for a synchronous store (memory), and still times out one that says so but is not', async () => {
    expect(memoryStore().synchronous).toBe(true);
    const memory = memoryStore();
    const seen: unknown[][] = [];
    const recording: RateLimitStore = {
      ...memory,
      name: 'recording',
      synchronous: true,
      consume: (algorithm, checks, cost, now, deadline) => {
        seen.push([algorithm, checks, cost, now, deadline]);
        return memory.consume(algorithm, checks, cost, now);
      },
    };
    const decision = rateLimitPolicy({ store: recording, limits: [...limits] }).evaluate(view);
    expect(decision).not.toBeInstanceOf(Promise);
    expect(seen[0]?.[4]).toBeUndefined();

    const liar: RateLimitStore = { ...memory, name: 'liar', synchronous: true, consume: () => new Promise(() => {}) };
    const refused = await rateLimitPolicy({
      store: liar,
      limits: [...limits],
      failure: { mode: 'fail-closed', timeout: 20 },
    }).evaluate(view);
    expect(refused.kind === 'deny' && refused.status).toBe(503);
  });

  it('never gives up before the deadline, even when its timer fires early', async () => {
    vi.useFakeTimers({ now: Date.UTC(2030, 0, 1) });
    const hung: RateLimitStore = {
      ...memoryStore(),
      name: 'hung',
      synchronous: false,
      consume: () => new Promise(() => {}),
    };
    const limiter = rateLimitPolicy({
      store: hung,
      limits: [...limits],
      failure: { mode: 'fail-closed', timeout: 100 },
    });
    let settled = false;
    const decision = Promise.resolve(limiter.evaluate(view)).then((d) => {
      settled = true;
      return d;
    });
    // Node starts a timer from the event loop's cached time, which lags the clock the
    // deadline was read from: the timer fires while the deadline is still 30 ms away.
    vi.setSystemTime(Date.now() - 30);
    await vi.advanceTimersByTimeAsync(100);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(30);
    expect(settled).toBe(true);
    const d = await decision;
    expect(d.kind === 'deny' && d.status).toBe(503);
  });
});
