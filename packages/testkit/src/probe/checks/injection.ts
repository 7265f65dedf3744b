import { tokenScopes } from '../context.js';
import type { ProbeAnswer } from '../exchange.js';
import { decodeJws } from '../jwt.js';
import { fail, leakIn, pass, skip } from '../outcome.js';
import { fillPath, hasParams } from '../target.js';
import type { ProbeCheck } from '../types.js';

/** Classic SQL-injection strings: each changes a naively built query's meaning. */
export const SQL_INJECTIONS = ["' OR '1'='1", '1 UNION SELECT NULL--', '1; DROP TABLE users--'] as const;

/** Input validation (API8:2023): injection strings never reach a query. */
export const injectionChecks: readonly ProbeCheck[] = [
  {
    id: 'input.sql-injection',
    title: 'SQL-injection strings in parameters answer 400 without data',
    risk: 'API8:2023',
    fix: 'Validate every parameter against its schema (uuid, integer, email) and answer 400; build queries with parameters only.',
    async run(ctx) {
      const credential = await ctx.credential();
      const token = await ctx.jwt();
      const scopes = token === undefined ? undefined : tokenScopes(decodeJws(token)?.payload);
      const callable = ctx.target.routes.filter(
        (r) =>
          r.method === 'GET' &&
          (r.query.length > 0 || hasParams(r)) &&
          (!r.protected ||
            (credential !== undefined && (scopes === undefined || r.scopes.every((s) => scopes.has(s))))),
      );
      const routes = callable.slice(0, 4);
      if (routes.length === 0) return skip('no GET route with parameters known (--openapi)');
      const bad: ProbeAnswer[] = [];
      let sent = 0;
      for (const route of routes) {
        for (const payload of SQL_INJECTIONS.slice(0, 2)) {
          const value = encodeURIComponent(payload);
          const inPath = hasParams(route);
          const path = inPath
            ? fillPath(route.path, value)
            : `${fillPath(route.path)}?${route.query.map((q) => `${encodeURIComponent(q)}=${value}`).join('&')}`;
          const answer = await ctx.http.send({
            method: 'GET',
            path,
            headers: route.protected && credential ? credential : {},
          });
          sent += 1;
          const allowed = inPath ? [400, 404, 422] : [400, 422];
          if (!allowed.includes(answer.status) || leakIn(answer) !== undefined) bad.push(answer);
        }
      }
      return bad.length > 0
        ? fail(
            `${bad[0]?.request.path} answered ${bad[0]?.status}${leakIn(bad[0] as ProbeAnswer) ? ` with ${leakIn(bad[0] as ProbeAnswer)}` : ''}`,
            bad,
          )
        : pass(`${sent} injection strings in ${routes.length} routes refused`);
    },
  },
];
