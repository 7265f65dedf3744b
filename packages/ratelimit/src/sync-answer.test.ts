import {
  type Decision,
  evaluatePolicies,
  type HeaderSink,
  manualClock,
  RequestContext,
  type RequestView,
  requestView,
  type SecurityEvent,
} from '@bulwark/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rateLimitFields } from './fields.js';
import { memoryStore } from './memory-store.js';
import { type LimitRule, rateLimitPolicy } from './policy.js';
import type { RateLimitStore } from './port.js';

const view = (ip = '203.0.113.7', path = '/v2/notes', method = 'GET'): RequestView =>
  requestView({ method, path, clientIp: ip });
const clock = () => manualClock(Date.UTC(2030, 0, 1, 0, 0, 19));
const isPromise = (value: unknown): boolean => value instanceof Promise;

function mapSink(): HeaderSink & { readonly fields: Map<string, string> } {
  const fields = new Map<string, string>();
  return {
    fields,
    get: (name) => fields.get(name),
    set: (name, value) => void fields.set(name, value),
    remove: (name) => void fields.delete(name),
  };
}

describe('rateLimitPolicy answers synchronously on a synchronous store', () => {
  it('returns a decision, not a Promise, on the memory store: allowed, refused, skipped', () => {
    const limiter = rateLimitPolicy({
      clock: clock(),
      limits: [{ name: 'anon', limit: 1, window: '60s', paths: ['/v2'] }],
    });
    const first = limiter.evaluate(view());
    const second = limiter.evaluate(view());
    const outside = limiter.evaluate(view('203.0.113.7', '/health'));
    expect([first, second, outside].map(isPromise)).toEqual([false, false, false]);
    expect((first as Decision).kind).toBe('allow');
    expect((second as Decision).kind).toBe('deny');
    expect((outside as Decision).headers).toEqual([]);
  });

  it('keeps a guard list off the promise path: evaluatePolicies answers synchronously', () => {
    const limiter = rateLimitPolicy({ clock: clock(), limits: [{ name: 'anon', limit: 100, window: '60s' }] });
    const headers = {
      name: 'h',
      evaluate: (): Decision => ({ kind: 'allow', headers: [['x-content-type-options', 'nosniff']] }),
    };
    const context = new RequestContext();
    const sink = mapSink();
    const outcome = evaluatePolicies([headers, limiter], view(), context, sink);
    expect(isPromise(outcome)).toBe(false);
    expect(outcome).toBeUndefined();
    expect(sink.fields.get('ratelimit')).toBe('"anon";r=99;t=41');
  });

  it('answers with a Promise on an asynchronous store (Redis), with the same decision', async () => {
    const memory = memoryStore({ clock: clock() });
    const later: RateLimitStore = {
      ...memory,
      name: 'later',
      consume: (algorithm, checks, cost, now) => Promise.resolve(memory.consume(algorithm, checks, cost, now)),
    };
    const limiter = rateLimitPolicy({
      clock: clock(),
      store: later,
      limits: [{ name: 'anon', limit: 3, window: '60s' }],
    });
    const answer = limiter.evaluate(view());
    expect(isPromise(answer)).toBe(true);
    expect((await answer).headers).toEqual([
      ['ratelimit-policy', '"anon";q=3;w=60'],
      ['ratelimit', '"anon";r=2;t=41'],
    ]);
  });

  it.each([
    ['fail-closed', 'deny'],
    ['fail-open', 'allow'],
    ['fallback', 'allow'],
  ] as const)(
    'a store that throws synchronously is a failure: %s answers %s, synchronously, with its event',
    (mode, kind) => {
      const events: SecurityEvent[] = [];
      const throwing: RateLimitStore = {
        ...memoryStore(),
        name: 'throwing',
        consume: () => {
          throw new Error('corrupt');
        },
      };
      const limiter = rateLimitPolicy({
        store: throwing,
        failure: { mode },
        onEvent: (e) => events.push(e),
        limits: [{ name: 'anon', limit: 3, window: '60s' }],
      });
      const answer = limiter.evaluate(view());
      expect(isPromise(answer)).toBe(false);
      expect((answer as Decision).kind).toBe(kind);
      expect(events[0]).toMatchObject({
        type: 'ratelimit.store_failure',
        mode,
        operation: 'consume',
        store: 'throwing',
      });
    },
  );
});

describe('two rate-limit policies in one guard list', () => {
  it("both allow: RateLimit and RateLimit-Policy carry both policies' items, in mount order", () => {
    const perIp = rateLimitPolicy({
      name: 'ip',
      clock: clock(),
      limits: [{ name: 'anon', limit: 100, window: '60s' }],
    });
    const perRoute = rateLimitPolicy({
      name: 'route',
      clock: clock(),
      limits: [{ name: 'reports', key: 'route', limit: 5, window: '10s', paths: ['/v2'] }],
    });
    const context = new RequestContext();
    const sink = mapSink();
    expect(evaluatePolicies([perIp, perRoute], view(), context, sink)).toBeUndefined();
    expect(sink.fields.get('ratelimit-policy')).toBe('"anon";q=100;w=60, "reports";q=5;w=10');
    expect(sink.fields.get('ratelimit')).toBe('"anon";r=99;t=41, "reports";r=4;t=1');
  });

  it("the second refuses: its 429 keeps the first policy's items before its own", () => {
    const perIp = rateLimitPolicy({
      name: 'ip',
      clock: clock(),
      limits: [{ name: 'anon', limit: 100, window: '60s' }],
    });
    const tight = rateLimitPolicy({
      name: 'tight',
      clock: clock(),
      limits: [{ name: 'burst', limit: 1, window: '60s' }],
    });
    evaluatePolicies([perIp, tight], view(), new RequestContext(), mapSink());
    const sink = mapSink();
    const refusal = evaluatePolicies([perIp, tight], view(), new RequestContext(), sink);
    expect(isPromise(refusal)).toBe(false);
    expect((refusal as Decision | undefined)?.kind).toBe('deny');
    // The allow's items are on the answer; the refusal's own are in its headers, which the
    // adapters apply with the same rule (core's applyHeaders): both policies, in order.
    expect(sink.fields.get('ratelimit')).toBe('"anon";r=98;t=41');
    const refused = refusal as Decision;
    expect(refused.headers.find(([n]) => n === 'ratelimit')?.[1]).toBe('"burst";r=0;t=41');
  });
});

describe('RateLimit fields compiled once', () => {
  it('are the bytes rateLimitFields builds, for any subset of limits, overrides and the legacy trio (property)', () => {
    const rules: LimitRule[] = [
      { name: 'a', limit: 50, window: '60s', paths: ['/v2'] },
      { name: 'b', limit: 7, window: '1500ms', methods: ['POST'] },
      { name: 'c', limit: 1000, window: '1h', override: (v) => (v.header('x-plan') === 'pro' ? 5000 : undefined) },
    ];
    fc.assert(
      fc.property(
        fc.constantFrom('/v2/notes', '/health'),
        fc.constantFrom('GET', 'POST'),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 1, max: 4 }),
        (path, method, pro, legacy, requests) => {
          const limiter = rateLimitPolicy({ clock: clock(), limits: rules, legacyHeaders: legacy });
          const request: RequestView = {
            ...view('198.51.100.4', path, method),
            header: (name) => (name === 'x-plan' && pro ? 'pro' : undefined),
          };
          for (let i = 0; i < requests; i++) {
            const decision = limiter.evaluate(request) as Decision;
            const applied = rules
              .filter(
                (r) =>
                  (r.paths === undefined || path.startsWith('/v2')) &&
                  (r.methods === undefined || r.methods.includes(method)),
              )
              .map((r) => {
                const limit = r.override?.(request) ?? r.limit;
                const windowMs = r.window === '60s' ? 60_000 : r.window === '1500ms' ? 1500 : 3_600_000;
                const used = Math.min(i + 1, limit);
                return {
                  name: r.name,
                  limit,
                  windowMs,
                  remaining: limit - used,
                  resetMs: windowMs - (19_000 % windowMs),
                };
              });
            if (applied.some((a) => a.remaining < 0) || decision.kind !== 'allow') return;
            expect(decision.headers).toEqual(rateLimitFields(applied, legacy));
          }
        },
      ),
    );
  });
});
