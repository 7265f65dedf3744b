import { describe, expect, it } from 'vitest';
import { parseBasic } from './client-auth.js';
import { APP_REDIRECT, basic, bodyOf, codeFor, header, ISSUER, SECRET, type Setup, setup } from './test-setup.js';

const jobCode = async (s: Setup) =>
  codeFor(
    s,
    (c) => ({
      response_type: 'code',
      client_id: 'reports-job',
      redirect_uri: APP_REDIRECT,
      code_challenge: c,
      code_challenge_method: 'S256',
    }),
    ['notes:read'],
  );

const form = (code: string, verifier: string, extra: Record<string, string | undefined> = {}) => ({
  grant_type: 'authorization_code',
  code,
  redirect_uri: APP_REDIRECT,
  code_verifier: verifier,
  ...extra,
});

function expectInvalidClient(decision: {
  status: number;
  headers: ReadonlyArray<readonly [string, string]>;
  body?: string;
}) {
  expect(decision.status).toBe(401);
  expect(bodyOf(decision).error).toBe('invalid_client');
  expect(header(decision, 'www-authenticate')).toBe(`Basic realm="${ISSUER}"`);
  expect(header(decision, 'cache-control')).toBe('no-store');
  expect(header(decision, 'content-type')).toBe('application/json');
}

describe('token: client authentication (RFC 6749 §2.3)', () => {
  it('client_secret_basic: form-urlencoded id and secret inside Basic', async () => {
    const s = await setup();
    const { code, verifier } = await jobCode(s);
    const answer = await s.server.token(form(code, verifier), basic('reports-job', SECRET));
    expect(answer.status).toBe(200);
    const verified = await s.verifier.verify(bodyOf(answer).access_token as string);
    expect(verified.ok && verified.claims.client_id).toBe('reports-job');
  });

  it('client_secret_basic decodes the form-urlencoding of each part', () => {
    expect(parseBasic(basic('a:b c', 'p%ss:+ word'))).toEqual({ id: 'a:b c', secret: 'p%ss:+ word' });
    expect(parseBasic(`Basic ${btoa('id:a+b')}`)).toEqual({ id: 'id', secret: 'a b' });
    expect(parseBasic(`bAsIc   ${btoa('id:x')}`)).toEqual({ id: 'id', secret: 'x' });
    expect(parseBasic(`Basic ${btoa('id:100%')}`)).toBeUndefined();
    expect(parseBasic(`Basic ${btoa('no-colon')}`)).toBeUndefined();
    expect(parseBasic(`Basic ${btoa(':secret')}`)).toBeUndefined();
    expect(parseBasic('Basic !!!')).toBeUndefined();
    expect(parseBasic('Basic')).toBeUndefined();
    expect(parseBasic(`Bearer ${btoa('id:x')}`)).toBeUndefined();
    expect(parseBasic(`Basic ${btoa('id:x')}, Basic ${btoa('id:y')}`)).toBeUndefined();
    // Bytes that are no UTF-8 are no credential.
    expect(parseBasic(`Basic ${btoa('id:\xff\xfe')}`)).toBeUndefined();
  });

  it('client_secret_post: client_id and client_secret in the form', async () => {
    const s = await setup();
    const { code, verifier } = await jobCode(s);
    const answer = await s.server.token(
      form(code, verifier, { client_id: 'reports-job', client_secret: SECRET }),
      undefined,
    );
    expect(answer.status).toBe(200);
  });

  it('a wrong secret, an unknown client, no credential at all: 401 invalid_client with the Basic challenge', async () => {
    const s = await setup();
    const { code, verifier } = await jobCode(s);
    expectInvalidClient(await s.server.token(form(code, verifier), basic('reports-job', `${SECRET}x`)));
    expectInvalidClient(await s.server.token(form(code, verifier), basic('reports-job', SECRET.slice(0, -1))));
    expectInvalidClient(await s.server.token(form(code, verifier), basic('nobody', SECRET)));
    expectInvalidClient(
      await s.server.token(form(code, verifier, { client_id: 'reports-job', client_secret: 'wrong' }), undefined),
    );
    expectInvalidClient(await s.server.token(form(code, verifier), undefined));
    expectInvalidClient(await s.server.token(form(code, verifier, { client_id: 'nobody' }), undefined));
    expectInvalidClient(await s.server.token(form(code, verifier), `Bearer ${SECRET}`));
    expectInvalidClient(await s.server.token(form(code, verifier), 'Basic %%%'));
    // None of that touched the code.
    expect((await s.server.token(form(code, verifier), basic('reports-job', SECRET))).status).toBe(200);
  });

  it('a confidential client without its secret is refused', async () => {
    const s = await setup();
    const { code, verifier } = await jobCode(s);
    expectInvalidClient(await s.server.token(form(code, verifier, { client_id: 'reports-job' }), undefined));
  });

  it('a public client presenting a secret is refused, in the form or in Basic', async () => {
    const s = await setup();
    const { code, verifier } = await codeFor(s);
    const spa = {
      grant_type: 'authorization_code',
      code,
      redirect_uri: 'http://localhost:5173/callback',
      code_verifier: verifier,
    };
    expectInvalidClient(await s.server.token({ ...spa, client_id: 'notes-spa', client_secret: 'anything' }, undefined));
    expectInvalidClient(
      await s.server.token({ ...spa, client_id: 'notes-spa', client_secret: '' }, basic('notes-spa', 'x')),
    );
    expectInvalidClient(await s.server.token(spa, basic('notes-spa', '')));
    expect((await s.server.token({ ...spa, client_id: 'notes-spa' }, undefined)).status).toBe(200);
  });

  it('two methods at once are invalid_request; a form client_id other than the Basic one is invalid_client', async () => {
    const s = await setup();
    const { code, verifier } = await jobCode(s);
    const both = await s.server.token(form(code, verifier, { client_secret: SECRET }), basic('reports-job', SECRET));
    expect(both.status).toBe(400);
    expect(bodyOf(both).error).toBe('invalid_request');
    expectInvalidClient(
      await s.server.token(form(code, verifier, { client_id: 'notes-spa' }), basic('reports-job', SECRET)),
    );
    // The same id in both places is fine.
    const same = await s.server.token(form(code, verifier, { client_id: 'reports-job' }), basic('reports-job', SECRET));
    expect(same.status).toBe(200);
  });

  it('the realm option sets the challenge', async () => {
    const s = await setup({ realm: 'notes-api' });
    const answer = await s.server.token({ grant_type: 'refresh_token' }, undefined);
    expect(header(answer, 'www-authenticate')).toBe('Basic realm="notes-api"');
  });
});
