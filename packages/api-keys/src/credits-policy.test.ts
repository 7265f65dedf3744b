import { authenticationPolicy, manualClock, requestView } from '@bulwark/core';
import { describe, expect, it } from 'vitest';
import { apiKeys } from './api-keys.js';
import { apiKeyAuthenticator } from './authenticator.js';
import { apiKeyCreditsPolicy } from './credits-policy.js';
import { memoryApiKeyStore } from './memory-store.js';
import type { ApiKeyStore } from './port.js';

const T0 = Date.UTC(2026, 0, 1);
const OWNER = { ownerId: 'alice', ownerScopes: ['notes:read'], name: 'k' } as const;

async function authenticated(keys: ReturnType<typeof apiKeys>, key: string) {
  const decision = await authenticationPolicy(apiKeyAuthenticator(keys)).evaluate(
    requestView({ method: 'GET', path: '/v2/notes', headers: { 'x-api-key': key } }),
  );
  if (decision.kind !== 'allow' || decision.principal === undefined) throw new Error('not authenticated');
  return requestView({ method: 'GET', path: '/v2/notes', principal: decision.principal });
}

describe('apiKeyCreditsPolicy', () => {
  it('spends a metered key credits, 429 once they are gone; refills', async () => {
    const clock = manualClock(T0);
    const keys = apiKeys({ clock, store: memoryApiKeyStore({ clock }) });
    const { key } = await keys.create({ ...OWNER, credits: { remaining: 2, refillEvery: '1h' } });
    const policy = apiKeyCreditsPolicy(keys);
    const view = await authenticated(keys, key);
    expect((await policy.evaluate(view)).kind).toBe('allow');
    expect((await policy.evaluate(view)).kind).toBe('allow');
    expect(await policy.evaluate(view)).toMatchObject({ kind: 'deny', status: 429, code: 'rate_limited' });
    clock.advance(3_600_000);
    expect((await policy.evaluate(view)).kind).toBe('allow');
  });

  it('a cached key without credits, a token and an anonymous request cost no store call', async () => {
    const clock = manualClock(T0);
    const inner = memoryApiKeyStore({ clock });
    let spends = 0;
    const store: ApiKeyStore = {
      ...inner,
      invalidations: inner.invalidations,
      consumeCredits: (id, cost) => {
        spends++;
        return inner.consumeCredits(id, cost);
      },
    };
    const keys = apiKeys({ clock, store });
    const { key } = await keys.create(OWNER);
    const policy = apiKeyCreditsPolicy(keys);
    const view = await authenticated(keys, key);
    for (let i = 0; i < 10; i++) expect((await policy.evaluate(view)).kind).toBe('allow');
    const token = requestView({
      method: 'GET',
      path: '/',
      principal: { subject: 'u', kind: 'user', scopes: [], source: { kind: 'jwt', issuer: 'i' }, claims: {} },
    });
    expect(policy.evaluate(token)).toMatchObject({ kind: 'allow' });
    expect(policy.evaluate(requestView({ method: 'GET', path: '/' }))).toMatchObject({ kind: 'allow' });
    expect(spends).toBe(0);
    expect(() => apiKeyCreditsPolicy(keys, { cost: 0 })).toThrow(expect.objectContaining({ option: 'cost' }));
  });

  it('fails closed: a store that fails answers 503', async () => {
    const clock = manualClock(T0);
    const inner = memoryApiKeyStore({ clock });
    const store: ApiKeyStore = {
      ...inner,
      invalidations: inner.invalidations,
      consumeCredits: () => Promise.reject(new Error('down')),
    };
    const keys = apiKeys({ clock, store });
    const { key } = await keys.create({ ...OWNER, credits: { remaining: 5 } });
    const view = await authenticated(keys, key);
    expect(await apiKeyCreditsPolicy(keys).evaluate(view)).toMatchObject({
      kind: 'deny',
      status: 503,
      code: 'store_unavailable',
    });
  });
});
