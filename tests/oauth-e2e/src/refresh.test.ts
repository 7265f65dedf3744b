import type * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FRAMEWORKS, type OAuthDemo, startOAuthDemo } from './demo.js';
import { tokensOfAlice } from './flow.js';
import { discover, expectTokenError, refresh } from './oauth-client.js';
import { usersMe } from './users-me.js';

/** A demo and its discovered metadata, with `env` (REFRESH_GRACE) for the refresh-token rules of DEMO.md. */
function demoWith(framework: (typeof FRAMEWORKS)[number], env: Record<string, string>) {
  const state: { demo?: OAuthDemo; as?: oauth.AuthorizationServer } = {};
  beforeAll(async () => {
    state.demo = await startOAuthDemo(framework, env);
    state.as = await discover(state.demo.issuer);
  });
  afterAll(() => state.demo?.close());
  return () => {
    if (state.demo === undefined || state.as === undefined) throw new Error('the demo did not start');
    return { issuer: state.demo.issuer, as: state.as };
  };
}

describe.each(FRAMEWORKS)('refresh tokens of the OAuth flow, through oauth4webapi, on %s', (framework) => {
  describe('with the default REFRESH_GRACE (10 s)', () => {
    const started = demoWith(framework, {});

    it('answers a retry of the previous token inside the grace window with the same child', async () => {
      const { as } = started();
      const first = await tokensOfAlice(as);
      const child = await refresh(as, first.refresh_token ?? '');
      const retry = await refresh(as, first.refresh_token ?? '');
      expect(retry.tokens.refresh_token).toEqual(expect.any(String));
      expect(retry.tokens.refresh_token).toBe(child.tokens.refresh_token);
      // The child stays the one live token: it rotates on.
      const next = await refresh(as, child.tokens.refresh_token ?? '');
      expect(next.tokens.refresh_token).not.toBe(child.tokens.refresh_token);
    });
  });

  describe('with REFRESH_GRACE=0s', () => {
    const started = demoWith(framework, { REFRESH_GRACE: '0s' });

    it('treats a spent token as reuse: invalid_grant, and the whole session is revoked', async () => {
      const { as, issuer } = started();
      const first = await tokensOfAlice(as);
      const child = await refresh(as, first.refresh_token ?? '');
      expect((await usersMe(issuer, child.tokens.access_token)).status).toBe(200);
      await expectTokenError(refresh(as, first.refresh_token ?? ''), 'invalid_grant');
      await expectTokenError(refresh(as, child.tokens.refresh_token ?? ''), 'invalid_grant');
      for (const token of [first.access_token, child.tokens.access_token]) {
        expect((await usersMe(issuer, token)).status).toBe(401);
      }
    });
  });
});
