import * as express from '@bulwark/express';
import * as fastify from '@bulwark/fastify';
import * as hono from '@bulwark/hono';
import * as koa from '@bulwark/koa';
import { testTokenAuthenticator } from '@bulwark/testkit';
import { describe, expect, it } from 'vitest';

// Each adapter's authenticate() and requireScopes() check their options when they are
// built, policy and client-IP keys alike, through core's one checkOptions.
const adapters = { express, fastify, koa, hono };

describe.each(Object.entries(adapters))('%s: authenticate() and requireScopes() options', (_name, adapter) => {
  const jwt = testTokenAuthenticator();

  it('accept the policy options with the client-IP ones', () => {
    expect(() =>
      adapter.authenticate(jwt, { realm: 'notes-api', optional: true, trustProxy: { hops: 1 } }),
    ).not.toThrow();
    expect(() => adapter.requireScopes(['notes:read'], { realm: 'notes-api', trustProxy: { hops: 1 } })).not.toThrow();
  });

  it('refuse a typo, a bad realm, a bad trust rule and bad scopes, naming the option', () => {
    expect(() => adapter.authenticate(jwt, { relam: 'x' } as never)).toThrow(/"relam".*"realm"/);
    expect(() => adapter.authenticate(jwt, { trustProxy: true } as never)).toThrow(/trustProxy/);
    expect(() => adapter.authenticate(jwt, { realm: 'a\nb' })).toThrow(/"realm"/);
    expect(() => adapter.authenticate([])).toThrow(/"authenticators"/);
    expect(() => adapter.requireScopes('notes:read', { optional: true } as never)).toThrow(/"optional"/);
    expect(() => adapter.requireScopes('a b')).toThrow(/"scopes"/);
  });
});
