import { memberAt, readableRoute, signIn, tokenOf } from '../context.js';
import type { ProbeAnswer } from '../exchange.js';
import { fail, pass, skip } from '../outcome.js';
import { fillPath } from '../target.js';
import type { ProbeCheck } from '../types.js';

/** Sessions (API2:2023): a replayed refresh token is theft, and ends the session. */
export const sessionChecks: readonly ProbeCheck[] = [
  {
    id: 'session.refresh-replay',
    title: 'A replayed refresh token is refused and revokes the session',
    risk: 'API2:2023',
    fix: 'Rotate refresh tokens on every use and treat the reuse of a spent one as theft: refuse it and revoke the whole family (RFC 9700 4.14).',
    async run(ctx) {
      const recipe = ctx.target.login;
      if (recipe?.refresh === undefined) return skip('no login recipe with a refresh step (--login {"refresh":{...}})');
      const { path, field = 'refresh_token' } = recipe.refresh;
      const refresh = (token: string) =>
        ctx.http.send(
          {
            method: 'POST',
            path,
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ [field]: token }),
          },
          { consented: true },
        );
      // A session of its own: the replay revokes it, not the one the other checks use.
      const login = await signIn(ctx.target, ctx.http);
      const first = memberAt(login.json(), field);
      if (typeof first !== 'string') return skip(`the login answer has no ${field} (${login.status})`);
      const chain: ProbeAnswer[] = [];
      let current = first;
      // Two rotations: the replayed token is then older than any grace window for a lost answer covers.
      for (let i = 0; i < 2; i++) {
        const answer = await refresh(current);
        const next = memberAt(answer.json(), field);
        if (answer.status !== 200 || typeof next !== 'string')
          return skip(`the refresh step answered ${answer.status}`);
        chain.push(answer);
        current = next;
      }
      const replay = await refresh(first);
      if (replay.status < 400 || replay.status >= 500)
        return fail(`the spent refresh token answered ${replay.status}`, [replay]);
      const live = await refresh(current);
      if (live.status >= 200 && live.status < 300)
        return fail('after the replay, the live refresh token still works: the session was not revoked', [
          replay,
          live,
        ]);
      const route = readableRoute(ctx.target);
      const access = tokenOf(ctx.target, chain[chain.length - 1] as ProbeAnswer);
      if (route && access) {
        const use = await ctx.http.send({
          method: 'GET',
          path: fillPath(route.path),
          headers: { authorization: `Bearer ${access}` },
        });
        if (use.status >= 200 && use.status < 300)
          return fail("after the replay, the session's access token still works", [replay, use]);
      }
      return pass(`replay answered ${replay.status}; the live refresh token answered ${live.status}`);
    },
  },
];
