import { ConfigError, manualClock, type Principal, requestView, type SecurityEvent } from '@bulwark/core';
import { describe, expect, it } from 'vitest';
import { memoryStore } from './memory-store.js';
import { type RateLimitOptions, rateLimitPolicy } from './policy.js';
import type { LimitCheck, RateLimitStore } from './port.js';

const view = (ip = '203.0.113.7', path = '/v2/notes', method = 'GET') => requestView({ method, path, clientIp: ip });
const header = (headers: readonly (readonly [string, string])[], name: string) =>
  headers.find(([n]) => n === name)?.[1];

function policy(options: Partial<RateLimitOptions> = {}) {
  const clock = manualClock(Date.UTC(2030, 0, 1, 0, 0, 19));
  return {
    clock,
    limiter: rateLimitPolicy({ clock, limits: [{ name: 'anon', limit: 3, window: '60s' }], ...options }),
  };
}

const alicePrincipal: Principal = {
  subject: 'alice',
  kind: 'user',
  scopes: [],
  source: { kind: 'jwt', issuer: 'https://issuer.example' },
  claims: {},
};

describe('rateLimitPolicy answers', () => {
  it('sends RateLimit-Policy and RateLimit (draft 10) on allowed answers', async () => {
    const { limiter } = policy();
    const d = await limiter.evaluate(view());
    expect(d.kind).toBe('allow');
    expect(header(d.headers, 'ratelimit-policy')).toBe('"anon";q=3;w=60');
    expect(header(d.headers, 'ratelimit')).toBe('"anon";r=2;t=41');
    expect(header(d.headers, 'x-ratelimit-limit')).toBeUndefined();
  });

  it('refuses with 429 problem+json, Retry-After and the fields', async () => {
    const { limiter } = policy();
    for (let i = 0; i < 3; i++) await limiter.evaluate(view());
    const d = await limiter.evaluate(view());
    expect(d.kind).toBe('deny');
    if (d.kind !== 'deny') return;
    expect(d.status).toBe(429);
    expect(d.problem).toMatchObject({ code: 'rate_limited', retryAfter: 41, limits: ['anon'] });
    expect(header(d.headers, 'retry-after')).toBe('41');
    expect(header(d.headers, 'ratelimit')).toBe('"anon";r=0;t=41');
  });

  it('checks several tiers all-or-nothing and advertises each', async () => {
    const { limiter } = policy({
      limits: [
        { name: 'anon', limit: 100, window: '60s', paths: ['/v2'] },
        { name: 'reports', limit: 2, window: '60s', paths: ['/v2/reports'], methods: ['POST'] },
      ],
    });
    const post = view('203.0.113.7', '/v2/reports', 'POST');
    for (let i = 0; i < 2; i++) expect((await limiter.evaluate(post)).kind).toBe('allow');
    const refused = await limiter.evaluate(post);
    expect(refused.kind).toBe('deny');
    expect(header(refused.headers, 'ratelimit-policy')).toBe('"anon";q=100;w=60, "reports";q=2;w=60');
    // The wide tier is reported as the refusal leaves it: 98, not 97.
    expect(header(refused.headers, 'ratelimit')).toBe('"anon";r=98;t=41, "reports";r=0;t=41');
    // The refused request consumed nothing from the wide tier.
    const get = await limiter.evaluate(view('203.0.113.7', '/v2/notes'));
    expect(header(get.headers, 'ratelimit')).toBe('"anon";r=97;t=41');
    expect((await limiter.evaluate(view('203.0.113.7', '/health'))).headers).toEqual([]);
  });

  it('counts HEAD against a GET-only limit, since frameworks serve HEAD with the GET handler', async () => {
    const { limiter } = policy({
      limits: [{ name: 'search', limit: 2, window: '60s', paths: ['/v2/search'], methods: ['get'] }],
    });
    expect((await limiter.evaluate(view('203.0.113.7', '/v2/search', 'GET'))).kind).toBe('allow');
    expect((await limiter.evaluate(view('203.0.113.7', '/v2/search', 'HEAD'))).kind).toBe('allow');
    expect((await limiter.evaluate(view('203.0.113.7', '/v2/search', 'HEAD'))).kind).toBe('deny');
    expect((await limiter.evaluate(view('203.0.113.7', '/v2/search', 'POST'))).headers).toEqual([]);
  });

  it('groups IPv6 clients by /64 and keeps IPv4 clients apart', async () => {
    const { limiter } = policy({ limits: [{ name: 'anon', limit: 1, window: '60s' }] });
    expect((await limiter.evaluate(view('2001:db8:1:2::1'))).kind).toBe('allow');
    expect((await limiter.evaluate(view('2001:db8:1:2:ffff::9'))).kind).toBe('deny');
    expect((await limiter.evaluate(view('2001:db8:1:3::1'))).kind).toBe('allow');
    expect((await limiter.evaluate(view('198.51.100.1'))).kind).toBe('allow');
    expect((await limiter.evaluate(view('198.51.100.2'))).kind).toBe('allow');
  });

  it('keys by principal, globally or by a function; skips limits without a key', async () => {
    const { limiter } = policy({
      limits: [
        { name: 'user', key: 'principal', limit: 1, window: '60s' },
        { name: 'tenant', key: (v) => v.header('x-tenant'), limit: 5, window: '60s' },
      ],
    });
    const anonymous = await limiter.evaluate(view());
    expect(anonymous.headers).toEqual([]);
    const alice = { ...view(), principal: alicePrincipal };
    expect((await limiter.evaluate(alice)).kind).toBe('allow');
    expect((await limiter.evaluate({ ...view('198.51.100.9'), principal: alicePrincipal })).kind).toBe('deny');
  });

  it("counts an API key on its own id, not its owner's, and keeps subjects and key ids apart", async () => {
    const { limiter } = policy({ limits: [{ name: 'user', key: 'principal', limit: 1, window: '60s' }] });
    const viaKey = (keyId: string, subject = alicePrincipal.subject) => ({
      ...view(),
      principal: { ...alicePrincipal, subject, source: { kind: 'api_key' as const, keyId } },
    });
    // Alice's token and two of her keys: three budgets.
    expect((await limiter.evaluate({ ...view(), principal: alicePrincipal })).kind).toBe('allow');
    expect((await limiter.evaluate(viaKey('k1'))).kind).toBe('allow');
    expect((await limiter.evaluate(viaKey('k2'))).kind).toBe('allow');
    expect((await limiter.evaluate(viaKey('k1'))).kind).toBe('deny');
    // A user whose subject is another's key id does not share that key's counter.
    const lookalike = { ...alicePrincipal, subject: 'k2' };
    expect((await limiter.evaluate({ ...view(), principal: lookalike })).kind).toBe('allow');
  });

  it('remembers the key of a frozen principal only: a mutable one is keyed afresh each time', async () => {
    const { limiter } = policy({ limits: [{ name: 'user', key: 'principal', limit: 1, window: '60s' }] });
    const frozen = Object.freeze({
      ...alicePrincipal,
      subject: 'frozen',
      source: Object.freeze({ ...alicePrincipal.source }),
    });
    expect((await limiter.evaluate({ ...view(), principal: frozen })).kind).toBe('allow');
    expect((await limiter.evaluate({ ...view(), principal: frozen })).kind).toBe('deny');
    // The same object, changed between requests: its new subject has its own budget.
    const mutable = { ...alicePrincipal, subject: 'first', source: { ...alicePrincipal.source } };
    expect((await limiter.evaluate({ ...view(), principal: mutable })).kind).toBe('allow');
    mutable.subject = 'second';
    expect((await limiter.evaluate({ ...view(), principal: mutable })).kind).toBe('allow');
    expect((await limiter.evaluate({ ...view(), principal: mutable })).kind).toBe('deny');
  });

  it('applies per-key overrides, skip and allowlist', async () => {
    const { limiter } = policy({
      limits: [
        { name: 'anon', limit: 1, window: '60s', override: (v) => (v.header('x-plan') === 'pro' ? 3 : undefined) },
      ],
      skip: (v) => v.path === '/internal',
      allowlist: ['10.0.0.0/8'],
    });
    const pro = requestView({ method: 'GET', path: '/v2', clientIp: '203.0.113.5', headers: { 'x-plan': 'pro' } });
    for (let i = 0; i < 3; i++) expect((await limiter.evaluate(pro)).kind).toBe('allow');
    expect((await limiter.evaluate(pro)).kind).toBe('deny');
    for (let i = 0; i < 5; i++) expect((await limiter.evaluate(view('10.1.2.3'))).kind).toBe('allow');
    for (let i = 0; i < 5; i++) expect((await limiter.evaluate(view('203.0.113.99', '/internal'))).kind).toBe('allow');
  });

  it('keys by route: one counter per listed prefix, shared by every client', async () => {
    const { limiter } = policy({
      limits: [{ name: 'per-route', key: 'route', limit: 2, window: '60s', paths: ['/v2/search', '/v2/Export/'] }],
    });
    // Two clients share the search counter; a new path under the prefix opens none.
    expect((await limiter.evaluate(view('203.0.113.1', '/v2/search'))).kind).toBe('allow');
    expect((await limiter.evaluate(view('203.0.113.2', '/v2/search/more'))).kind).toBe('allow');
    expect((await limiter.evaluate(view('203.0.113.3', '/v2/%73earch'))).kind).toBe('deny');
    // Another prefix has a counter of its own, whatever its spelling.
    expect((await limiter.evaluate(view('203.0.113.1', '/v2/export/1'))).kind).toBe('allow');
    expect((await limiter.evaluate(view('203.0.113.1', '/V2/EXPORT/2'))).kind).toBe('allow');
    expect((await limiter.evaluate(view('203.0.113.1', '/v2/export'))).kind).toBe('deny');
    // Outside the prefixes the limit does not apply.
    expect((await limiter.evaluate(view('203.0.113.1', '/v2/notes'))).headers).toEqual([]);
  });

  it('lets the client key place the checks only when every limit counts the same kind of key', async () => {
    const seen: Array<readonly LimitCheck[]> = [];
    const memory = memoryStore();
    const recording: RateLimitStore = {
      ...memory,
      name: 'recording',
      consume: (algorithm, checks, cost, now) => {
        seen.push(checks);
        return memory.consume(algorithm, checks, cost, now);
      },
    };
    const ipOnly = rateLimitPolicy({
      store: recording,
      limits: [
        { name: 'anon', limit: 100, window: '60s' },
        { name: 'reports', key: 'ip', limit: 5, window: '60s', paths: ['/v2/reports'] },
      ],
    });
    await ipOnly.evaluate(view('203.0.113.7', '/v2/reports', 'POST'));
    expect(seen.at(-1)?.map((c) => c.shard)).toEqual(['203.0.113.7', '203.0.113.7']);
    const mixed = rateLimitPolicy({
      store: recording,
      limits: [
        { name: 'anon', limit: 100, window: '60s' },
        { name: 'user', key: 'principal', limit: 50, window: '60s' },
      ],
    });
    const signedIn = { ...view('203.0.113.7', '/v2'), principal: alicePrincipal };
    await mixed.evaluate(signedIn);
    // A principal's counter must not follow the address it calls from: no shard.
    expect(seen.at(-1)?.map((c) => c.shard)).toEqual([undefined, undefined]);
    // An `ip` limit's check carries the address's number (-1 when it is not a canonical
    // IPv4 address); other keys leave it to the store.
    expect(seen.at(-1)?.map((c) => c.ipv4)).toEqual([0xcb007107, undefined]);
    // An anonymous request sends the `ip` check alone, and still without a shard: a store
    // that placed a lone check by its key would keep the `anon` counter in two places, by
    // client here and by policy for signed-in requests (why `shard` stays in the port).
    await mixed.evaluate(view('203.0.113.7', '/v2'));
    expect(seen.at(-1)?.map((c) => [c.scope, c.shard])).toEqual([['default:anon', undefined]]);
    await ipOnly.evaluate(view('2001:db8:1:2::7', '/v2/reports', 'POST'));
    expect(seen.at(-1)?.map((c) => [c.key, c.ipv4])).toEqual([
      ['2001:db8:1:2::/64', -1],
      ['2001:db8:1:2::/64', -1],
    ]);
    // An IPv4-mapped address is keyed as the IPv4 address, number included.
    await ipOnly.evaluate(view('::ffff:203.0.113.7', '/v2/reports', 'POST'));
    expect(seen.at(-1)?.map((c) => [c.key, c.ipv4])).toEqual([
      ['203.0.113.7', 0xcb007107],
      ['203.0.113.7', 0xcb007107],
    ]);
  });

  it('counts an IPv4 client and its IPv4-mapped IPv6 form against one counter', async () => {
    const { limiter } = policy({ limits: [{ name: 'anon', limit: 2, window: '60s' }] });
    expect((await limiter.evaluate(view('192.0.2.9'))).kind).toBe('allow');
    expect((await limiter.evaluate(view('::ffff:192.0.2.9'))).kind).toBe('allow');
    expect((await limiter.evaluate(view('::FFFF:c000:209'))).kind).toBe('deny');
    expect((await limiter.evaluate(view('192.0.2.9'))).kind).toBe('deny');
  });

  it('blocks for the penalty duration after a limit is hit', async () => {
    const { limiter, clock } = policy({ limits: [{ name: 'anon', limit: 1, window: '1s', block: '10s' }] });
    await limiter.evaluate(view());
    const hit = await limiter.evaluate(view());
    expect(hit.kind === 'deny' && hit.problem.retryAfter).toBe(10);
    clock.advance(5000);
    expect((await limiter.evaluate(view())).kind).toBe('deny');
    clock.advance(5000);
    expect((await limiter.evaluate(view())).kind).toBe('allow');
  });

  it('in shadow mode reports but never refuses', async () => {
    const events: SecurityEvent[] = [];
    const { limiter } = policy({ shadow: true, onEvent: (e) => events.push(e) });
    for (let i = 0; i < 5; i++) expect((await limiter.evaluate(view())).kind).toBe('allow');
    expect(events.filter((e) => e.type === 'ratelimit.exceeded')).toHaveLength(2);
    expect(events[0]).toMatchObject({ type: 'ratelimit.exceeded', shadow: true, limits: ['anon'], policy: 'default' });
  });

  it('scales limits with the adaptive hook, ignoring nonsense factors', async () => {
    let factor = 0.5;
    const { limiter } = policy({ limits: [{ name: 'anon', limit: 10, window: '60s' }], adaptive: () => factor });
    const first = await limiter.evaluate(view());
    expect(header(first.headers, 'ratelimit-policy')).toBe('"anon";q=5;w=60');
    factor = Number.NaN;
    expect(header((await limiter.evaluate(view())).headers, 'ratelimit-policy')).toBe('"anon";q=10;w=60');
  });

  it('adds legacy X-RateLimit headers on request', async () => {
    const { limiter } = policy({ legacyHeaders: true });
    const d = await limiter.evaluate(view());
    expect(header(d.headers, 'x-ratelimit-limit')).toBe('3');
    expect(header(d.headers, 'x-ratelimit-remaining')).toBe('2');
    expect(header(d.headers, 'x-ratelimit-reset')).toBe('41');
  });

  it('refunds a request: never above the limit, and only its own limits', async () => {
    const { limiter } = policy({
      limits: [
        { name: 'anon', limit: 3, window: '60s' },
        { name: 'reports', limit: 2, window: '60s', paths: ['/v2/reports'] },
      ],
    });
    const report = view('203.0.113.7', '/v2/reports', 'POST');
    const notes = view('203.0.113.7', '/v2/notes');
    const left = async (v: typeof notes) => (await limiter.peek(v)).map((l) => l.remaining);
    await limiter.evaluate(report);
    await limiter.evaluate(report);
    expect(await left(notes)).toEqual([0]);
    await limiter.refund(report);
    expect(await left(notes)).toEqual([1]);
    expect(await left(report)).toEqual([1, 0]);
    await limiter.refund(notes, 5);
    // Back to full on `anon` (not beyond); `reports` untouched by a notes refund.
    expect(await left(notes)).toEqual([2]);
    expect(await left(report)).toEqual([2, 0]);
    await expect(limiter.refund(report, -1)).rejects.toMatchObject({ name: 'BulwarkError', code: 'invalid_argument' });
  });

  it('peeks without consuming and resets', async () => {
    const { limiter } = policy();
    await limiter.evaluate(view());
    // Peek reports what this request would leave (2 left after it), and consumes nothing.
    expect((await limiter.peek(view()))[0]?.remaining).toBe(1);
    expect((await limiter.peek(view()))[0]?.remaining).toBe(1);
    await limiter.reset(view());
    expect((await limiter.peek(view()))[0]?.remaining).toBe(2);
  });
});

describe('store failure policy', () => {
  const broken = (behaviour: 'throw' | 'hang'): RateLimitStore => ({
    name: 'broken',
    consume: () => (behaviour === 'throw' ? Promise.reject(new Error('ECONNREFUSED')) : new Promise(() => {})),
    peek: () => Promise.reject(new Error('down')),
    refund: () => Promise.resolve(),
    reset: () => Promise.resolve(),
  });

  it.each([
    ['fail-closed', 'deny'],
    ['fail-open', 'allow'],
    ['fallback', 'allow'],
  ] as const)('%s answers %s when the store throws, and emits an event', async (mode, kind) => {
    const events: SecurityEvent[] = [];
    const { limiter } = policy({ store: broken('throw'), failure: { mode }, onEvent: (e) => events.push(e) });
    const d = await limiter.evaluate(view());
    expect(d.kind).toBe(kind);
    if (d.kind === 'deny') expect(d.status).toBe(503);
    expect(events[0]).toMatchObject({
      type: 'ratelimit.store_failure',
      mode,
      operation: 'consume',
      store: 'broken',
      errorName: 'Error',
    });
  });

  it.each(['peek', 'refund', 'reset'] as const)(
    '%s rejects with store_unavailable when the store hangs or throws, and emits an event',
    async (operation) => {
      for (const behaviour of ['hang', 'throw'] as const) {
        const events: SecurityEvent[] = [];
        const failing = (): Promise<never> =>
          behaviour === 'throw' ? Promise.reject(new Error('ECONNREFUSED')) : new Promise<never>(() => {});
        const store: RateLimitStore = {
          ...memoryStore(),
          name: 'broken',
          peek: operation === 'peek' ? failing : (): Promise<never> => Promise.reject(new Error('not this one')),
          refund: operation === 'refund' ? failing : (): Promise<never> => Promise.reject(new Error('not this one')),
          reset: operation === 'reset' ? failing : (): Promise<never> => Promise.reject(new Error('not this one')),
        };
        // fail-open: even the mode that lets requests through does not turn these into success.
        const { limiter } = policy({
          store,
          failure: { mode: 'fail-open', timeout: 20 },
          onEvent: (e) => events.push(e),
        });
        const started = Date.now();
        await expect(limiter[operation](view())).rejects.toMatchObject({
          name: 'BulwarkError',
          code: 'store_unavailable',
        });
        expect(Date.now() - started).toBeLessThan(2000);
        expect(events).toEqual([
          expect.objectContaining({
            type: 'ratelimit.store_failure',
            operation,
            store: 'broken',
            mode: 'fail-open',
            errorName: behaviour === 'throw' ? 'Error' : 'StoreTimeoutError',
          }),
        ]);
      }
    },
  );

  it('times out a hung store instead of hanging the request', async () => {
    const { limiter } = policy({ store: broken('hang'), failure: { mode: 'fail-closed', timeout: 20 } });
    const d = await limiter.evaluate(view());
    expect(d.kind === 'deny' && d.status).toBe(503);
  });

  it('keeps limiting locally in fallback mode', async () => {
    const { limiter } = policy({ store: broken('throw'), failure: { mode: 'fallback' } });
    const kinds = [];
    for (let i = 0; i < 4; i++) kinds.push((await limiter.evaluate(view())).kind);
    expect(kinds).toEqual(['allow', 'allow', 'allow', 'deny']);
  });

  it('turns a full memory store into the failure policy, not a silent reset', async () => {
    const { limiter } = policy({
      store: memoryStore({ maxKeys: 1 }),
      limits: [{ name: 'anon', limit: 1, window: '60s' }],
    });
    await limiter.evaluate(view('198.51.100.1'));
    const d = await limiter.evaluate(view('198.51.100.2'));
    expect(d.kind === 'deny' && d.status).toBe(503);
    expect((await limiter.evaluate(view('198.51.100.1'))).kind).toBe('deny');
  });
});

describe('configuration', () => {
  it.each([
    [{ limits: [] }, /limits/],
    [{ limits: [{ name: 'Bad Name', limit: 1, window: '1s' }] }, /limits\[0\]\.name/],
    [{ limits: [{ name: 'a', limit: 0, window: '1s' }] }, /limits\[0\]\.limit/],
    [{ limits: [{ name: 'a', limit: 1, window: 'soon' }] }, /limits\[0\]\.window/],
    [{ limits: [{ name: 'a', limit: 1_000_000, window: '7d' }] }, /limits\[0\]\.limit/],
    [
      {
        limits: [
          { name: 'a', limit: 1, window: '1s' },
          { name: 'a', limit: 2, window: '1s' },
        ],
      },
      /unique/,
    ],
    [{ limits: [{ name: 'a', limit: 1, window: '1s', key: 'cookie' as never }] }, /limits\[0\]\.key/],
    [{ limits: [{ name: 'a', limit: 1, window: '1s', key: 'route' }] }, /limits\[0\]\.key.*paths/],
    [{ limits: [{ name: 'a', limit: 1, window: '1s', paths: '/v2' as never }] }, /limits\[0\]\.paths/],
    [{ limits: [{ name: 'a', limit: 1, window: '1s', paths: [7 as never] }] }, /limits\[0\]\.paths\[0\]/],
    [{ limits: [{ name: 'a', limit: 1, window: '1s' }], algorithm: 'leaky' as never }, /algorithm/],
    [{ limits: [{ name: 'a', limit: 1, window: '1s' }], failure: { mode: 'ignore' as never } }, /failure.mode/],
    [{ limits: [{ name: 'a', limit: 1, window: '1s' }], allowlist: ['everyone'] }, /allowlist/],
  ])('refuses %j', (options, message) => {
    expect(() => rateLimitPolicy(options as RateLimitOptions)).toThrow(ConfigError);
    expect(() => rateLimitPolicy(options as RateLimitOptions)).toThrow(message);
  });
});
