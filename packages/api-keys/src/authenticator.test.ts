import { type Authenticator, authenticationPolicy, manualClock, requestView, type SecurityEvent } from '@bulwark/core';
import { describe, expect, it } from 'vitest';
import { apiKeys } from './api-keys.js';
import { apiKeyAuthenticator } from './authenticator.js';

const T0 = Date.UTC(2026, 0, 1);
const view = (headers: Record<string, string>) =>
  requestView({ method: 'GET', path: '/v2/notes', headers, clientIp: '203.0.113.7' });

/** Stands for the JWT authenticator: claims three-part bearer values, answers a fixed principal. */
const jwt: Authenticator = {
  name: 'jwt',
  claim: ({ bearer }) => (bearer?.split('.').length === 3 ? bearer : undefined),
  verify: () => ({ ok: false, code: 'invalid_token', reason: 'signature' }),
};

async function setup() {
  const clock = manualClock(T0);
  const keys = apiKeys({ clock, prefix: 'notes' });
  const created = await keys.create({
    ownerId: 'alice',
    ownerScopes: ['notes:read', 'notes:write'],
    name: 'k',
    scopes: ['notes:read'],
  });
  const events: SecurityEvent[] = [];
  const policy = authenticationPolicy([jwt, apiKeyAuthenticator(keys)], {
    realm: 'notes-api',
    onEvent: (e) => events.push(e),
    clock,
  });
  return { keys, created, events, policy };
}

describe('apiKeyAuthenticator', () => {
  it('claims X-API-Key (any value) and Bearer values carrying the prefix, nothing else', async () => {
    const { keys } = await setup();
    const auth = apiKeyAuthenticator(keys);
    expect(auth.name).toBe('api-key');
    expect(auth.claim({ bearer: undefined, view: view({ 'x-api-key': 'junk' }) })).toBe('junk');
    expect(auth.claim({ bearer: 'notes_live_x', view: view({}) })).toBe('notes_live_x');
    expect(auth.claim({ bearer: 'a.b.c', view: view({}) })).toBeUndefined();
    expect(auth.claim({ bearer: 'notesX', view: view({}) })).toBeUndefined();
    // A key in both places: both values, for the policy to tell one credential from two.
    expect(auth.claim({ bearer: 'notes_live_x', view: view({ 'x-api-key': 'notes_live_y' }) })).toEqual([
      'notes_live_y',
      'notes_live_x',
    ]);
    expect(
      apiKeyAuthenticator(keys, { bearer: false }).claim({ bearer: 'notes_live_x', view: view({}) }),
    ).toBeUndefined();
    expect(() => apiKeyAuthenticator({} as never)).toThrow(expect.objectContaining({ option: 'keys' }));
    expect(() => apiKeyAuthenticator(keys, { header: 'authorization' })).toThrow(
      expect.objectContaining({ option: 'header' }),
    );
    expect(() => apiKeyAuthenticator(keys, { headr: 'x' } as never)).toThrow(
      expect.objectContaining({ option: 'headr' }),
    );
  });

  it('two different keys (X-API-Key and Bearer) are 400 invalid_request; the same key twice is one', async () => {
    const { created, keys, policy } = await setup();
    const other = await keys.create({ ownerId: 'user-2', ownerScopes: ['notes:read'], name: 'other' });
    const two = await policy.evaluate(view({ 'x-api-key': created.key, authorization: `Bearer ${other.key}` }));
    expect(two).toMatchObject({ kind: 'deny', status: 400, problem: { code: 'invalid_request' } });
    const once = await policy.evaluate(view({ 'x-api-key': created.key, authorization: `Bearer ${created.key}` }));
    expect(once.kind).toBe('allow');
    // Two X-API-Key fields arrive joined: two different keys are two credentials, one key twice is one.
    const joined = await policy.evaluate(view({ 'x-api-key': `${created.key}, ${other.key}` }));
    expect(joined).toMatchObject({ kind: 'deny', status: 400, problem: { code: 'invalid_request' } });
    expect((await policy.evaluate(view({ 'x-api-key': `${created.key}, ${created.key}` }))).kind).toBe('allow');
  });

  it('authenticates as the owner with the key scopes, by X-API-Key or Bearer; sync on a cache hit', async () => {
    const { created, policy } = await setup();
    const first = await policy.evaluate(view({ 'x-api-key': created.key }));
    expect(first).toMatchObject({
      kind: 'allow',
      principal: { subject: 'alice', scopes: ['notes:read'], source: { kind: 'api_key', keyId: created.id } },
    });
    const hit = policy.evaluate(view({ authorization: `Bearer ${created.key}` }));
    expect(hit).not.toBeInstanceOf(Promise);
    expect(hit).toMatchObject({ kind: 'allow', principal: { subject: 'alice' } });
    // The key's id is the principal's source: what `key: 'principal'` rate limits count on.
    expect((hit as unknown as { principal: { source: unknown } }).principal.source).toEqual({
      kind: 'api_key',
      keyId: created.id,
    });
  });

  it('refuses a bad key with 401 invalid_api_key and the invalid_token challenge, never falling through', async () => {
    const { created, keys, policy, events } = await setup();
    const typo = `${created.key.slice(0, -1)}${created.key.endsWith('a') ? 'b' : 'a'}`;
    for (const headers of [{ 'x-api-key': typo }, { authorization: `Bearer ${typo}` }, { 'x-api-key': 'not a key' }]) {
      const denied = await policy.evaluate(view(headers));
      expect(denied).toMatchObject({
        kind: 'deny',
        status: 401,
        code: 'invalid_api_key',
        headers: [['www-authenticate', 'Bearer realm="notes-api", error="invalid_token"']],
      });
    }
    await keys.revoke(created.id);
    expect(await policy.evaluate(view({ 'x-api-key': created.key }))).toMatchObject({
      kind: 'deny',
      code: 'invalid_api_key',
    });
    expect(events.map((e) => (e.type === 'auth.failed' ? [e.authenticator, e.code, e.reason] : e.type))).toEqual([
      ['api-key', 'invalid_api_key', 'checksum'],
      ['api-key', 'invalid_api_key', 'checksum'],
      ['api-key', 'invalid_api_key', 'malformed'],
      ['api-key', 'invalid_api_key', 'revoked'],
    ]);
    expect(JSON.stringify(events)).not.toContain(created.key.slice(20));
  });
});
