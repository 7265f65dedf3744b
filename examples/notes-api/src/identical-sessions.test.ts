import { comparableAnswer, expectIdenticalAnswers, type ProbeResponse } from '@bulwark/testkit';
import { s256Challenge } from '@bulwark/tokens';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FRAMEWORKS } from './config.js';
import { authorizeQuery, CALLBACK, cookieOf, formFields, formType, oauthClient, SPA } from './oauth-test-helpers.js';
import type { RunningDemo } from './server.js';
import { json, PASSWORDS, startTestDemo, UI } from './test-helpers.js';

// The byte-identical comparison of demo.test.ts, for the conversations of sessions and OAuth:
// each request may use what earlier answers of the same server gave (tokens, codes, the
// form's fields), so each server gets the whole script, and the random values are blanked.

/** The values that are random per answer (tokens, codes, the form's token and nonce), blanked for comparison. */
function scrub(answer: ReturnType<typeof comparableAnswer>): ReturnType<typeof comparableAnswer> {
  const blank = (text: string) =>
    text
      .replace(/eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/g, '<jwt>')
      .replace(/bwrt_[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/g, '<refresh-token>')
      .replace(/([?&]code=)[^&]+/g, '$1<code>')
      .replace(/name="csrf" value="[^"]*"/g, 'name="csrf" value="<csrf>"')
      .replace(/notes_signin=[A-Za-z0-9_-]{43}/g, 'notes_signin=<nonce>');
  return {
    status: answer.status,
    fields: answer.fields.map(([name, value]) => [name, blank(value)] as const),
    body: blank(answer.body),
  };
}

describe('notes-api demo: sessions and OAuth answer byte-identically on the four frameworks', () => {
  const servers: RunningDemo[] = [];
  beforeAll(async () => {
    for (const framework of FRAMEWORKS) servers.push(await startTestDemo(framework));
  });
  afterAll(() => Promise.all(servers.map((server) => server.close())));

  /** One scripted conversation with one server: each request may use what earlier answers gave. */
  async function converse(server: RunningDemo, challenge: string, verifier: string) {
    const answers: ReturnType<typeof comparableAnswer>[] = [];
    const o = oauthClient(server);
    const record = async (res: Promise<ProbeResponse>) => {
      const answer = await res;
      answers.push(scrub(comparableAnswer(answer)));
      return answer;
    };
    const pair = (await record(o.login('alice@example.com', PASSWORDS.alice))).json() as {
      refresh_token: string;
      access_token: string;
    };
    const next = (await record(o.refresh(pair.refresh_token))).json() as { refresh_token: string };
    await record(o.refresh(pair.refresh_token));
    await record(o.refresh('bwrt_not-a-token'));
    await record(o.send('POST', '/auth/refresh', json, '{"refresh_token":""}'));
    await record(o.send('GET', '/.well-known/oauth-authorization-server'));
    const page = await record(o.page(authorizeQuery(challenge)));
    await record(o.page(authorizeQuery(challenge, { client_id: 'evil-app' })));
    await record(o.page(authorizeQuery(challenge, { code_challenge_method: 'plain' })));
    await record(o.send('HEAD', `/oauth/authorize?${authorizeQuery(challenge)}`));
    const fields = formFields(page);
    await record(o.post({ ...fields, email: 'alice@example.com', password: 'wrong' }, cookieOf(page)));
    await record(o.post({ ...fields, csrf: '' }, cookieOf(page)));
    const signedIn = await record(
      o.post({ ...fields, email: 'bob@example.com', password: PASSWORDS.bob }, cookieOf(page)),
    );
    const code = new URL(signedIn.header('location') ?? '').searchParams.get('code') ?? '';
    const exchange = {
      grant_type: 'authorization_code',
      code,
      redirect_uri: CALLBACK,
      client_id: SPA,
      code_verifier: verifier,
    };
    const spa = (await record(o.token(exchange, { origin: UI }))).json() as { refresh_token: string };
    await record(o.token(exchange));
    // The replay revoked the code's session: its refresh token is refused.
    await record(o.token({ grant_type: 'refresh_token', refresh_token: spa.refresh_token, client_id: SPA }));
    await record(o.send('POST', '/oauth/token', json, '{"grant_type":"refresh_token"}'));
    await record(o.send('POST', '/oauth/token', formType, `grant_type=refresh_token&x=${'a'.repeat(20_000)}`));
    await record(o.token({ grant_type: 'refresh_token', refresh_token: 'x' }));
    await record(
      o.send('OPTIONS', '/oauth/token', {
        origin: UI,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      }),
    );
    await record(o.send('POST', '/auth/logout', o.bearer(pair.access_token)));
    await record(o.refresh(next.refresh_token));
    return answers;
  }

  it('gives the same status, header fields and body to the refresh and OAuth conversation, random values aside', async () => {
    const verifier = 'demo-verifier-'.padEnd(43, 'x');
    const challenge = await s256Challenge(verifier);
    const recorded = [];
    for (const [i, server] of servers.entries()) {
      recorded.push({ driver: FRAMEWORKS[i] as string, answers: await converse(server, challenge, verifier) });
    }
    expect(recorded[0]?.answers.map((a) => a.status)).toEqual([
      200, 200, 200, 401, 422, 200, 200, 400, 303, 200, 400, 403, 303, 200, 400, 400, 415, 413, 401, 204, 204, 401,
    ]);
    expectIdenticalAnswers(recorded);
  });
});
