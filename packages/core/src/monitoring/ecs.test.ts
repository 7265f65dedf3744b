import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { SecurityEvent } from '../events.js';
import { alertHook, teeSink } from './alerts.js';
import { ecsDocument, ecsSink, maskIp } from './ecs.js';

const at = Date.UTC(2026, 0, 1);
const where = { at, method: 'POST', path: '/auth/login', clientIp: '192.0.2.7' };

/** One event of every type: a Record over the union, so a new type without a sample does not compile. */
const SAMPLES: { readonly [T in SecurityEvent['type']]: Extract<SecurityEvent, { type: T }> } = {
  'auth.failed': { type: 'auth.failed', ...where, authenticator: 'jwt', code: 'invalid_token', reason: 'expired' },
  'authz.denied': {
    type: 'authz.denied',
    ...where,
    layer: 'function',
    required: ['notes:write'],
    missing: ['notes:write'],
  },
  'cors.rejected': {
    type: 'cors.rejected',
    ...where,
    origin: 'https://evil.example',
    reason: 'origin_not_allowed',
    preflight: true,
  },
  'version.rejected': { type: 'version.rejected', ...where, requested: '9' },
  'version.sunset': { type: 'version.sunset', ...where, version: '1' },
  'server.error': { type: 'server.error', ...where, errorName: 'TypeError' },
  'config.warning': { type: 'config.warning', at, option: 'trustProxy', message: 'm' },
  'validation.failed': { type: 'validation.failed', ...where, target: 'body', status: 422, errorCount: 2 },
  'ratelimit.exceeded': { type: 'ratelimit.exceeded', ...where, policy: 'signin', limits: ['ip'], shadow: false },
  'ratelimit.store_failure': {
    type: 'ratelimit.store_failure',
    at,
    policy: 'p',
    store: 'redis',
    mode: 'fail-open',
    errorName: 'E',
  },
  'ratelimit.fallback': { type: 'ratelimit.fallback', at, policy: 'p', store: 'redis' },
  'keyring.key_created': { type: 'keyring.key_created', at, kid: 'k1', alg: 'ES256', generation: 2, activatesAt: at },
  'keyring.store_failure': { type: 'keyring.store_failure', at, errorName: 'E', stale: true },
  'jwks.fetch_failed': {
    type: 'jwks.fetch_failed',
    at,
    url: 'https://idp.example/jwks',
    reason: 'timeout',
    stale: true,
  },
  'jwks.key_skipped': { type: 'jwks.key_skipped', at, url: 'https://idp.example/jwks', reason: 'symmetric' },
  'revocation.store_failure': {
    type: 'revocation.store_failure',
    at,
    store: 'redis',
    reason: 'store_error',
    mode: 'fail-closed',
  },
  'token.reuse_detected': {
    type: 'token.reuse_detected',
    ...where,
    credential: 'refresh_token',
    familyId: 'f1',
    generation: 3,
  },
  'login.failed': { type: 'login.failed', ...where, account: 'tagA', reason: 'invalid_credentials', attempts: 3 },
  lockout: {
    type: 'lockout',
    ...where,
    scope: 'pair',
    account: 'tagA',
    durationMs: 900_000,
    attempts: 5,
    lockLevel: 1,
    until: at + 900_000,
  },
  'lockout.cleared': { type: 'lockout.cleared', at, reason: 'reset', scopes: ['account', 'pair'], account: 'tagA' },
  alert: { type: 'alert', at, signal: 'login.failed', ratePerMinute: 120, baselinePerMinute: 12, factor: 5 },
};

const KINDS = new Set(['event', 'alert']);
const CATEGORIES = new Set([
  'authentication',
  'configuration',
  'database',
  'iam',
  'intrusion_detection',
  'network',
  'session',
  'web',
]);
const TYPES = new Set([
  'access',
  'allowed',
  'change',
  'creation',
  'denied',
  'end',
  'error',
  'indicator',
  'info',
  'start',
]);

describe('ECS mapping', () => {
  it.each(Object.values(SAMPLES))('maps $type with ECS-allowed values only', (event) => {
    const doc = ecsDocument(event) as { event: Record<string, unknown> } & Record<string, unknown>;
    expect(doc['@timestamp']).toBe('2026-01-01T00:00:00.000Z');
    expect(doc.ecs).toEqual({ version: '8.11.0' });
    expect(doc.event.action).toBe(event.type);
    expect(KINDS.has(doc.event.kind as string)).toBe(true);
    for (const category of doc.event.category as string[]) expect(CATEGORIES.has(category)).toBe(true);
    for (const type of doc.event.type as string[]) expect(TYPES.has(type)).toBe(true);
    expect(['success', 'failure', 'unknown']).toContain(doc.event.outcome);
    if (event.clientIp !== undefined) expect(doc.source).toEqual({ ip: event.clientIp });
    // Nothing of the event is lost: every field is an ECS field or under bulwark.*.
    const { type: _t, at: _a, method: _m, path: _p, clientIp: _c, ...rest } = event;
    expect(doc.bulwark ?? {}).toEqual(rest);
  });

  it('classifies sign-in failures and locks for a SIEM', () => {
    expect(ecsDocument(SAMPLES['login.failed'])).toMatchObject({
      event: {
        kind: 'event',
        category: ['authentication'],
        type: ['start'],
        outcome: 'failure',
        reason: 'invalid_credentials',
      },
      user: { id: 'tagA' },
      http: { request: { method: 'POST' } },
      url: { path: '/auth/login' },
    });
    expect(ecsDocument(SAMPLES.lockout)).toMatchObject({ event: { kind: 'alert', category: ['authentication'] } });
    expect(ecsDocument({ ...SAMPLES['ratelimit.exceeded'], shadow: true })).toMatchObject({
      event: { type: ['allowed'], outcome: 'success' },
    });
  });

  it('masks source.ip on request, and writes sanitised JSON lines', () => {
    expect(maskIp('192.0.2.77')).toBe('192.0.2.0');
    expect(maskIp('2001:db8:1:2::5')).toBe('2001:db8:1::');
    expect(maskIp('unix')).toBe('-');
    const lines: string[] = [];
    const sink = ecsSink((line) => lines.push(line), { ip: 'masked' });
    sink({ ...SAMPLES['version.rejected'], requested: 'x\ny'.repeat(200) });
    expect(lines).toHaveLength(1);
    expect(lines[0]?.endsWith('\n')).toBe(true);
    const doc = JSON.parse(lines[0] as string);
    expect(doc.source).toEqual({ ip: '192.0.2.0' });
    expect(doc.bulwark.requested).not.toContain('\n');
    expect(doc.bulwark.requested.length).toBeLessThanOrEqual(257);
    expect(() => ecsSink(undefined, { ip: 'hashed' as never })).toThrow(/ip/);
  });
});

describe('alert hook', () => {
  it('hands over only the alerting types, and survives a hook that throws or rejects', async () => {
    const seen: string[] = [];
    const hook = alertHook(['lockout', 'alert'], (event) => {
      seen.push(event.type);
    });
    const failing = alertHook(['lockout'], () => Promise.reject(new Error('webhook down')));
    const throwing = alertHook(['lockout'], () => {
      throw new Error('boom');
    });
    const sink = teeSink(throwing, failing, hook);
    for (const event of Object.values(SAMPLES)) sink(event);
    await new Promise((r) => setImmediate(r));
    expect(seen).toEqual(['lockout', 'alert']);
    expect(() => alertHook([], () => {})).toThrow(/types/);
  });

  it('posts to a webhook URL with fetch (the README example), on a real local server', async () => {
    const received: unknown[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        received.push({ method: req.method, type: req.headers['content-type'], body: JSON.parse(body) });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts`;
    let delivered!: () => void;
    const done = new Promise<void>((r) => {
      delivered = r;
    });
    try {
      const sink = alertHook(['lockout'], async (event) => {
        await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(ecsDocument(event)),
          signal: AbortSignal.timeout(5000),
        });
        delivered();
      });
      sink(SAMPLES['login.failed']);
      sink(SAMPLES.lockout);
      await done;
      expect(received).toMatchObject([
        { method: 'POST', type: 'application/json', body: { event: { action: 'lockout', kind: 'alert' } } },
      ]);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
