import { describe, expect, it } from 'vitest';
import { clientSecretHash } from './clients.js';
import { authorizationServer } from './server.js';
import { baseOptions, ISSUER } from './test-setup.js';
import type { AuthorizationServerOptions, OAuthClientConfig } from './types.js';

const { options } = await baseOptions();
const spa = options.clients[0] as OAuthClientConfig;
const build = (change: Record<string, unknown>) => () =>
  authorizationServer({ ...options, ...change } as AuthorizationServerOptions);
const withClient = (client: Record<string, unknown>) => build({ clients: [{ ...spa, ...client }] });
const refusedAt = (option: string) => expect.objectContaining({ name: 'ConfigError', option });

describe('authorizationServer options (checked once, at the factory)', () => {
  it('builds with the options of the example', () => {
    expect(typeof build({})().token).toBe('function');
  });

  it('refuses an unknown option, naming it', () => {
    expect(build({ codeTTL: '1m' })).toThrow(refusedAt('codeTTL'));
  });

  it('refuses insecure or malformed issuer and endpoints', () => {
    for (const issuer of [
      'http://auth.example.com',
      'https://auth.example.com/?x=1',
      'https://auth.example.com#f',
      'auth',
      5,
    ]) {
      expect(build({ issuer }), String(issuer)).toThrow(refusedAt('issuer'));
    }
    expect(build({ tokenEndpoint: 'http://auth.example.com/token' })).toThrow(refusedAt('tokenEndpoint'));
    expect(build({ authorizationEndpoint: 'https://u:p@auth.example.com/a' })).toThrow(
      refusedAt('authorizationEndpoint'),
    );
    expect(build({ jwksUri: '/jwks' })).toThrow(refusedAt('jwksUri'));
    // http on a loopback host is a developer's machine (the demo).
    expect(
      build({ issuer: 'http://127.0.0.1:3000', tokenEndpoint: 'http://localhost:3000/oauth/token' }),
    ).not.toThrow();
  });

  it('refuses bad scopes, stores, TTLs, dependencies and realms', () => {
    expect(build({ scopes: [] })).toThrow(refusedAt('scopes'));
    expect(build({ scopes: ['a b'] })).toThrow(refusedAt('scopes[0]'));
    expect(build({ codes: {} })).toThrow(refusedAt('codes'));
    expect(build({ codeTtl: '11m' })).toThrow(refusedAt('codeTtl'));
    expect(build({ codeTtl: 500 })).toThrow(refusedAt('codeTtl'));
    expect(build({ codeTtl: 'soon' })).toThrow(refusedAt('codeTtl'));
    expect(build({ codeTtl: '10m' })).not.toThrow();
    expect(build({ accessTokens: {} })).toThrow(refusedAt('accessTokens'));
    expect(build({ refreshTokens: { issue() {} } })).toThrow(refusedAt('refreshTokens'));
    expect(build({ onEvent: 'log' })).toThrow(refusedAt('onEvent'));
    expect(build({ realm: 'a\r\nb' })).toThrow(refusedAt('realm'));
    expect(build({ realm: '' })).toThrow(refusedAt('realm'));
    expect(build({ clock: 5 })).toThrow(refusedAt('clock'));
  });

  it('refuses redirect URIs that cannot be compared exactly or are unsafe', () => {
    const bad = [
      'https://app.example.com', // not canonical: the parser adds a slash
      'HTTPS://app.example.com/cb',
      'https://app.example.com/cb#frag',
      'https://user@app.example.com/cb',
      'http://app.example.com/cb',
      'javascript:alert(1)',
      'data:text/html,x',
      'https://app.example.com/cb?code=1',
      'https://app.example.com/cb?state=x',
      '/relative',
      '',
    ];
    for (const uri of bad) {
      expect(withClient({ redirectUris: [uri] }), uri).toThrow(refusedAt('clients[0].redirectUris[0]'));
    }
    for (const uri of [
      'http://localhost:5173/callback',
      'http://127.0.0.1:8080/cb',
      'http://[::1]/cb',
      'com.example.app:/oauth',
    ]) {
      expect(withClient({ redirectUris: [uri] }), uri).not.toThrow();
    }
    expect(withClient({ redirectUris: [] })).toThrow(refusedAt('clients[0].redirectUris'));
  });

  it('refuses malformed clients', async () => {
    expect(build({ clients: [] })).toThrow(refusedAt('clients'));
    expect(build({ clients: [spa, spa] })).toThrow(refusedAt('clients[1].id'));
    expect(withClient({ id: '' })).toThrow(refusedAt('clients[0].id'));
    expect(withClient({ id: 'a b' })).toThrow(refusedAt('clients[0].id'));
    expect(withClient({ type: 'trusted' })).toThrow(refusedAt('clients[0].type'));
    expect(withClient({ scopes: ['unknown'] })).toThrow(refusedAt('clients[0].scopes[0]'));
    expect(withClient({ grantTypes: ['password'] })).toThrow(refusedAt('clients[0].grantTypes[0]'));
    expect(withClient({ redirectUri: 'x' })).toThrow(refusedAt('clients[0].redirectUri'));
    expect(withClient({ secretHash: await clientSecretHash('x') })).toThrow(refusedAt('clients[0].secretHash'));
    expect(withClient({ type: 'confidential' })).toThrow(refusedAt('clients[0].secretHash'));
    // The secret itself where its hash belongs.
    expect(withClient({ type: 'confidential', secretHash: 'my-client-secret' })).toThrow(
      refusedAt('clients[0].secretHash'),
    );
  });
});

describe('metadata (RFC 8414)', () => {
  it('answers exactly the demo fields, plus the iss parameter support', () => {
    const server = authorizationServer({ ...options, clients: [spa] });
    expect(server.metadata()).toEqual({
      issuer: ISSUER,
      authorization_endpoint: `${ISSUER}/oauth/authorize`,
      token_endpoint: `${ISSUER}/oauth/token`,
      jwks_uri: `${ISSUER}/.well-known/jwks.json`,
      response_types_supported: ['code'],
      grant_types_supported: ['authorization_code', 'refresh_token'],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['none'],
      scopes_supported: ['notes:read', 'notes:write', 'admin'],
      authorization_response_iss_parameter_supported: true,
    });
  });

  it('lists the secret methods when a confidential client is registered', () => {
    const server = authorizationServer(options);
    expect(server.metadata().token_endpoint_auth_methods_supported).toEqual([
      'none',
      'client_secret_basic',
      'client_secret_post',
    ]);
  });
});
