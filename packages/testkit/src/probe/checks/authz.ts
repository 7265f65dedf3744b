import { tokenScopes } from '../context.js';
import type { ProbeAnswer } from '../exchange.js';
import { decodeJws } from '../jwt.js';
import { fail, pass, skip } from '../outcome.js';
import { fillPath } from '../target.js';
import type { ProbeCheck } from '../types.js';

/** Function-level authorization (API5:2023): a route needing a scope the token lacks is 403. */
export const authzChecks: readonly ProbeCheck[] = [
  {
    id: 'authz.insufficient-scope',
    title: 'Routes needing a scope the token lacks answer 403',
    risk: 'API5:2023',
    fix: 'Check the required scopes on every route (not only in the UI), and answer 403 insufficient_scope with the required scope in WWW-Authenticate.',
    async run(ctx) {
      const token = await ctx.jwt();
      if (token === undefined) return skip('no JWT given (--token or --login)');
      const scopes = tokenScopes(decodeJws(token)?.payload);
      if (scopes === undefined) return skip('the token has no scope claim');
      const routes = ctx.target.routes
        .filter((r) => r.protected && r.method === 'GET' && r.scopes.some((s) => !scopes.has(s)))
        .slice(0, 3);
      if (routes.length === 0)
        return skip('no GET route needs a scope the token lacks (the OpenAPI document names scopes)');
      const bad: ProbeAnswer[] = [];
      for (const route of routes) {
        const answer = await ctx.http.send({
          method: 'GET',
          path: fillPath(route.path),
          headers: { authorization: `Bearer ${token}` },
        });
        if (answer.status !== 403) bad.push(answer);
      }
      return bad.length > 0
        ? fail(`${bad[0]?.request.path} answered ${bad[0]?.status} to a token without its scope`, bad, [
            'www-authenticate',
          ])
        : pass(`${routes.length} routes refuse the token's missing scopes with 403`);
    },
  },
];
