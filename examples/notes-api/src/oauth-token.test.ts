import { createPkcePair } from '@bulwark/tokens';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FRAMEWORKS } from './config.js';
import { CALLBACK, expectTokenError, formBody, formType, ISSUER, oauthClient, SPA } from './oauth-test-helpers.js';
import type { RunningDemo } from './server.js';
import { decodeJws, json, startTestDemo, UI } from './test-helpers.js';

describe.each(FRAMEWORKS)('notes-api demo on %s: OAuth token endpoint', (framework) => {
  let server: RunningDemo;
  let o: ReturnType<typeof oauthClient>;
  let n = 0;
  const from = () => ({ 'x-forwarded-for': `203.0.113.${++n}` });
  beforeAll(async () => {
    server = await startTestDemo(framework, { TRUST_PROXY: 'loopback' });
    o = oauthClient(server);
  });
  afterAll(() => server?.close());

  it('exchanges the code with PKCE: RFC 6749 §5.1, no-store, a notes-spa session; CORS for the SPA', async () => {
    const { pkce, redirect } = await o.authorize('bob', from());
    const res = await o.token(
      {
        grant_type: 'authorization_code',
        code: redirect.searchParams.get('code') ?? '',
        redirect_uri: CALLBACK,
        client_id: SPA,
        code_verifier: pkce.verifier,
      },
      { origin: UI, ...from() },
    );
    expect(res.status).toBe(200);
    expect(res.header('cache-control')).toBe('no-store');
    expect(res.header('access-control-allow-origin')).toBe(UI);
    const body = res.json() as Record<string, unknown>;
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 900, scope: 'notes:read' });
    const claims = decodeJws(body.access_token as string).payload;
    expect(claims).toMatchObject({ client_id: SPA, iss: ISSUER, aud: 'notes-api', scope: 'notes:read' });
    expect(claims.sid).toBe((body.refresh_token as string).slice(5).split('.')[0]);
    // The SPA calls the API with it from the browser: a preflight, then the Bearer GET.
    const preflight = await o.send('OPTIONS', '/v2/users/me', {
      origin: UI,
      'access-control-request-method': 'GET',
      'access-control-request-headers': 'authorization',
    });
    expect(preflight.status).toBe(204);
    expect(preflight.header('access-control-allow-origin')).toBe(UI);
    const me = await o.send('GET', '/v2/users/me', { origin: UI, ...o.bearer(body.access_token as string) });
    expect(me.status).toBe(200);
    expect(me.header('access-control-allow-origin')).toBe(UI);
    expect(me.json()).toMatchObject({ email: 'bob@example.com' });
  });

  it('a wrong or missing code_verifier: invalid_grant, and the code is spent', async () => {
    const { pkce, redirect } = await o.authorize('dave', from());
    const code = redirect.searchParams.get('code') ?? '';
    const exchange = (verifier?: string) =>
      o.token({
        grant_type: 'authorization_code',
        code,
        redirect_uri: CALLBACK,
        client_id: SPA,
        ...(verifier === undefined ? {} : { code_verifier: verifier }),
      });
    expectTokenError(await exchange(), 400, 'invalid_grant');
    const other = await createPkcePair();
    expectTokenError(await exchange(other.verifier), 400, 'invalid_grant');
    expectTokenError(await exchange(pkce.verifier), 400, 'invalid_grant');
  });

  it('a code used twice: invalid_grant, and the tokens issued from it are revoked', async () => {
    const { pkce, redirect } = await o.authorize('alice', from());
    const form = {
      grant_type: 'authorization_code',
      code: redirect.searchParams.get('code') ?? '',
      redirect_uri: CALLBACK,
      client_id: SPA,
      code_verifier: pkce.verifier,
    };
    const first = await o.token(form);
    expect(first.status).toBe(200);
    const issued = first.json() as { access_token: string; refresh_token: string };
    expect((await o.send('GET', '/v2/users/me', o.bearer(issued.access_token))).status).toBe(200);
    expectTokenError(await o.token(form), 400, 'invalid_grant');
    expect((await o.send('GET', '/v2/users/me', o.bearer(issued.access_token))).status).toBe(401);
    expectTokenError(
      await o.token({ grant_type: 'refresh_token', refresh_token: issued.refresh_token, client_id: SPA }),
      400,
      'invalid_grant',
    );
  });

  it('a refresh asking for a scope the session was not granted is 400 invalid_scope; a spent token asking so is a reuse', async () => {
    const refresh = (token: string, scope?: string) =>
      o.token({ grant_type: 'refresh_token', refresh_token: token, client_id: SPA, ...(scope ? { scope } : {}) });
    const issued = await o.tokens('carol', from(), { scope: 'notes:read' });
    expect(issued.scope).toBe('notes:read');
    // notes:write: a scope the client may ask for, and carol holds, but this session was not granted.
    expectTokenError(await refresh(issued.refresh_token, 'notes:write'), 400, 'invalid_scope');
    // Within the grace window the same token, without the scope, gets the rotation's child.
    const retried = await refresh(issued.refresh_token);
    expect(retried.status).toBe(200);
    const child = retried.json() as { refresh_token: string; scope: string };
    expect(child.scope).toBe('notes:read');
    // A stolen, already rotated token asking for more scope is still caught as a reuse: the session ends.
    const next = await refresh(child.refresh_token);
    expect(next.status).toBe(200);
    expectTokenError(await refresh(issued.refresh_token, 'notes:write'), 400, 'invalid_grant');
    expectTokenError(await refresh((next.json() as { refresh_token: string }).refresh_token), 400, 'invalid_grant');
  });

  it('the refresh_token grant rotates the SPA session', async () => {
    const issued = await o.tokens('carol', from());
    const res = await o.token({ grant_type: 'refresh_token', refresh_token: issued.refresh_token, client_id: SPA });
    expect(res.status).toBe(200);
    expect(res.header('cache-control')).toBe('no-store');
    const next = res.json() as { access_token: string; refresh_token: string; scope: string };
    expect(next.refresh_token).not.toBe(issued.refresh_token);
    expect(next.scope).toBe(issued.scope);
    expect(decodeJws(next.access_token).payload).toMatchObject({
      client_id: SPA,
      sid: decodeJws(issued.access_token).payload.sid,
    });
    expect((await o.send('GET', '/admin/users', o.bearer(next.access_token))).status).toBe(200);
    // A refresh token is bound to its client (RFC 6749 §6): the SPA's is refused at
    // /auth/refresh (the first-party endpoint) and that ends its session.
    const spa = await o.tokens('alice', from());
    const elsewhere = await o.refresh(spa.refresh_token, from());
    expect(elsewhere.status).toBe(401);
    expect((elsewhere.json() as { code: string }).code).toBe('invalid_grant');
    expectTokenError(
      await o.token({ grant_type: 'refresh_token', refresh_token: spa.refresh_token, client_id: SPA }),
      400,
      'invalid_grant',
    );
    expect((await o.send('GET', '/v2/users/me', o.bearer(spa.access_token))).status).toBe(401);
    // Another client's token is not the SPA's: a login session's refresh token is refused here.
    const login = await o.pairOf('carol', from());
    expectTokenError(
      await o.token({ grant_type: 'refresh_token', refresh_token: login.refresh_token, client_id: SPA }),
      400,
      'invalid_grant',
    );
  });

  it('every refusal of the token endpoint is in RFC 6749 §5.2 form, even before the library', async () => {
    const send = (body: string, headers: Record<string, string>) =>
      o.send('POST', '/oauth/token', { ...headers, ...from() }, body);
    const grant = formBody({ grant_type: 'refresh_token', refresh_token: 'x', client_id: SPA });
    expectTokenError(await send(JSON.stringify({ grant_type: 'refresh_token' }), json), 415, 'invalid_request');
    expectTokenError(await send(grant, {}), 415, 'invalid_request');
    expectTokenError(await send(`${grant}&x=${'a'.repeat(20_000)}`, formType), 413, 'invalid_request');
    expectTokenError(await send(`${grant}&grant_type=refresh_token`, formType), 400, 'invalid_request');
    expectTokenError(await send('grant_type=%zz', formType), 400, 'invalid_request');
    expectTokenError(
      await send(formBody({ grant_type: 'password', client_id: SPA }), formType),
      400,
      'unsupported_grant_type',
    );
    expectTokenError(
      await send(formBody({ grant_type: 'refresh_token', refresh_token: 'x' }), formType),
      401,
      'invalid_client',
    );
    expectTokenError(await send(grant, formType), 400, 'invalid_grant');
  });
});
