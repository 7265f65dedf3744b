import { expectProblem, expectProfile, type ProbeResponse } from '@bulwark/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FRAMEWORKS } from './config.js';
import type { RunningDemo } from './server.js';
import { client, decodeJws, startTestDemo, withoutTime } from './test-helpers.js';

type Pair = { access_token: string; refresh_token: string; token_type: string; expires_in: number; scope: string };
/** The family a refresh token belongs to: `bwrt_<family>.<secret>`. */
const familyOf = (refreshToken: string) => refreshToken.slice('bwrt_'.length).split('.')[0];

const expectInvalidGrant = (res: ProbeResponse) => {
  const problem = expectProblem(res, 401, 'invalid_grant');
  expect(problem.detail).toBe('The refresh token is not valid.');
  // The endpoint takes no HTTP authentication scheme: no challenge (as /auth/login's 401).
  expect(res.header('www-authenticate')).toBeUndefined();
  expectProfile(res);
  return res;
};

describe.each(FRAMEWORKS)('notes-api demo on %s: sessions (refresh rotation)', (framework) => {
  let server: RunningDemo;
  let noGrace: RunningDemo;
  let c: ReturnType<typeof client>;
  // Each test signs in from its own address: the sign-in tier is 20 a minute per address.
  let n = 0;
  const from = () => ({ 'x-forwarded-for': `198.51.100.${++n}` });
  beforeAll(async () => {
    server = await startTestDemo(framework, { TRUST_PROXY: 'loopback' });
    noGrace = await startTestDemo(framework, { TRUST_PROXY: 'loopback', REFRESH_GRACE: '0s' });
    c = client(server);
  });
  afterAll(() => Promise.all([server?.close(), noGrace?.close()]));
  const me = (token: string) => c.send('GET', '/v2/users/me', c.bearer(token));

  it('login answers a pair: the access token is of the refresh family, client notes-api', async () => {
    const pair = (await c.pairOf('alice', from())) as Pair;
    const { payload } = decodeJws(pair.access_token);
    expect(payload.sid).toBe(familyOf(pair.refresh_token));
    expect(payload.client_id).toBe('notes-api');
    // Another login is another session.
    const other = await c.pairOf('alice', from());
    expect(familyOf(other.refresh_token)).not.toBe(familyOf(pair.refresh_token));
  });

  it('rotates: a new pair of the same session, with no-store; both tokens work', async () => {
    const first = (await c.pairOf('bob', from())) as Pair;
    const res = await c.refresh(first.refresh_token, from());
    expect(res.status).toBe(200);
    expect(res.header('cache-control')).toBe('no-store');
    expectProfile(res);
    const next = res.json() as Pair;
    expect(Object.keys(next).sort()).toEqual(['access_token', 'expires_in', 'refresh_token', 'scope', 'token_type']);
    expect(next).toMatchObject({ token_type: 'Bearer', expires_in: 900, scope: 'notes:read' });
    expect(next.refresh_token).not.toBe(first.refresh_token);
    expect(familyOf(next.refresh_token)).toBe(familyOf(first.refresh_token));
    const claims = decodeJws(next.access_token).payload;
    expect(claims).toMatchObject({ sid: familyOf(first.refresh_token), client_id: 'notes-api' });
    expect(claims.sub).toBe(decodeJws(first.access_token).payload.sub);
    expect((await me(next.access_token)).json()).toMatchObject({ email: 'bob@example.com', scopes: ['notes:read'] });
    // The child rotates in turn.
    const third = await c.refresh(next.refresh_token, from());
    expect(third.status).toBe(200);
  });

  it('a retry of the previous token within REFRESH_GRACE gets the same child; the session lives on', async () => {
    const first = (await c.pairOf('dave', from())) as Pair;
    const once = (await c.refresh(first.refresh_token, from())).json() as Pair;
    const again = await c.refresh(first.refresh_token, from());
    expect(again.status).toBe(200);
    const retried = again.json() as Pair;
    expect(retried.refresh_token).toBe(once.refresh_token);
    expect((await me(retried.access_token)).status).toBe(200);
    expect((await me(once.access_token)).status).toBe(200);
    // The child is still the live token: it rotates.
    expect((await c.refresh(once.refresh_token, from())).status).toBe(200);
  });

  it('a spent token outside the grace window: 401 invalid_grant, and the whole session is revoked', async () => {
    for (const [what, target] of [
      ['the grandparent, REFRESH_GRACE=10s', server],
      ['the previous one, REFRESH_GRACE=0s', noGrace],
    ] as const) {
      const s = client(target);
      const first = (await s.pairOf('alice', from())) as Pair;
      const second = (await s.refresh(first.refresh_token, from())).json() as Pair;
      // REFRESH_GRACE=0s: the previous token is spent at once. 10s: the grandparent is never retried.
      const spent = target === noGrace ? first.refresh_token : second.refresh_token;
      const live = target === noGrace ? second : ((await s.refresh(second.refresh_token, from())).json() as Pair);
      expect((await s.send('GET', '/v2/users/me', s.bearer(live.access_token))).status, what).toBe(200);
      const replay = target === noGrace ? spent : first.refresh_token;
      expectInvalidGrant(await s.refresh(replay, from()));
      // The family's live refresh token and every access token of the session are dead.
      expectInvalidGrant(await s.refresh(live.refresh_token, from()));
      for (const access of [first.access_token, live.access_token]) {
        const res = await s.send('GET', '/v2/users/me', s.bearer(access));
        expectProblem(res, 401, 'invalid_token');
      }
    }
  });

  it('unknown, forged and malformed refresh tokens: the same 401 invalid_grant', async () => {
    const pair = (await c.pairOf('carol', from())) as Pair;
    const [prefix, secret] = pair.refresh_token.split('.') as [string, string];
    // Another secret, well-formed, in the same family (a character flipped away from the spare bits).
    const forged = `${prefix}.${secret.slice(0, 10)}${secret[10] === 'A' ? 'B' : 'A'}${secret.slice(11)}`;
    const answers: ProbeResponse[] = [];
    for (const token of [forged, 'bwrt_nope', 'x'.repeat(100), pair.access_token.slice(0, 500)]) {
      answers.push(expectInvalidGrant(await c.refresh(token, from())));
    }
    expect(new Set(answers.map((res) => res.text)).size).toBe(1);
    expect(answers.map(withoutTime).map((fields) => fields.filter(([name]) => name !== 'ratelimit'))).toEqual(
      answers.map(() => withoutTime(answers[0] as ProbeResponse)),
    );
    // A forgery that knows the family id revokes nothing: the real token still rotates.
    expect((await c.refresh(pair.refresh_token, from())).status).toBe(200);
  });

  it('refuses malformed refresh bodies before the store', async () => {
    const send = (body: string, type = 'application/json') =>
      c.send('POST', '/auth/refresh', { 'content-type': type, ...from() }, body);
    expectProblem(await send('{}'), 422, 'validation_failed');
    expectProblem(await send('{"refresh_token":"a","extra":1}'), 422, 'validation_failed');
    expectProblem(await send('refresh_token=a', 'application/x-www-form-urlencoded'), 415, 'unsupported_media_type');
    expectProblem(await send('{"refresh_token":'), 400, 'bad_request');
  });

  it('logout revokes the session: its refresh family and every access token of it', async () => {
    const first = (await c.pairOf('dave', from())) as Pair;
    const second = (await c.refresh(first.refresh_token, from())).json() as Pair;
    const other = (await c.pairOf('dave', from())) as Pair;
    expect((await c.send('POST', '/auth/logout', c.bearer(first.access_token))).status).toBe(204);
    expectInvalidGrant(await c.refresh(second.refresh_token, from()));
    expectProblem(await me(second.access_token), 401, 'invalid_token');
    // Another session of the same user is untouched.
    expect((await me(other.access_token)).status).toBe(200);
    expect((await c.refresh(other.refresh_token, from())).status).toBe(200);
  });
});
