import type { ProbeAnswer } from '../exchange.js';
import { fail, marker, pass, skip } from '../outcome.js';
import { fillPath, hasParams, type ProbeRoute } from '../target.js';
import type { ProbeCheck, ProbeContext } from '../types.js';

/** Protected GET routes (parameterless first), at most `n`. */
export function protectedRoutes(ctx: ProbeContext, n = 4): ProbeRoute[] {
  const list = ctx.target.routes.filter((r) => r.protected && r.method === 'GET');
  return [...list.filter((r) => !hasParams(r)), ...list.filter(hasParams)].slice(0, n);
}

const AUTH_FIELDS = ['www-authenticate'];

/** Authentication on the protected routes (API2:2023). */
export const authChecks: readonly ProbeCheck[] = [
  {
    id: 'auth.challenge',
    title: 'Protected routes answer 401 with WWW-Authenticate without a credential',
    risk: 'API2:2023',
    fix: 'Authenticate every protected route before it runs, and answer 401 with `WWW-Authenticate: Bearer realm="..."` (RFC 6750 3.1) for no credential or another scheme.',
    async run(ctx) {
      const routes = protectedRoutes(ctx);
      if (routes.length === 0) return skip('no protected route known (--openapi or --protected)');
      const bad: ProbeAnswer[] = [];
      for (const route of routes) {
        for (const headers of [{}, { authorization: 'Basic YnVsd2Fyazpwcm9iZQ==' }]) {
          const answer = await ctx.http.send({ method: 'GET', path: fillPath(route.path), headers });
          if (answer.status !== 401 || !/^\s*Bearer\b/i.test(answer.header('www-authenticate') ?? '')) bad.push(answer);
        }
      }
      return bad.length > 0
        ? fail(`${bad[0]?.request.path} answered ${bad[0]?.status} without a Bearer challenge`, bad, AUTH_FIELDS)
        : pass(`${routes.length} protected routes challenge`);
    },
  },
  {
    id: 'auth.malformed-credential',
    title: 'Malformed Bearer credentials are refused with 400 or 401',
    risk: 'API2:2023',
    fix: 'Parse Authorization strictly (RFC 6750 b64token, one credential): answer 400 invalid_request or 401, never run the route or fail with 500.',
    async run(ctx) {
      const route = protectedRoutes(ctx, 1)[0];
      if (route === undefined) return skip('no protected route known (--openapi or --protected)');
      const bad: ProbeAnswer[] = [];
      for (const value of ['Bearer', 'Bearer a b', 'Bearer ###', 'Bearer AAA']) {
        const answer = await ctx.http.send({
          method: 'GET',
          path: fillPath(route.path),
          headers: { authorization: value },
        });
        if (answer.status !== 400 && answer.status !== 401) bad.push(answer);
      }
      return bad.length > 0
        ? fail(`a malformed credential answered ${bad[0]?.status}`, bad, AUTH_FIELDS)
        : pass('4 malformed credentials refused');
    },
  },
  {
    id: 'auth.unknown-api-key',
    title: 'A made-up API key is refused with 401',
    risk: 'API2:2023',
    fix: 'Look API keys up by a hash of the whole key and refuse unknown, revoked or expired ones with 401.',
    async run(ctx) {
      const route = protectedRoutes(ctx, 1)[0];
      if (route === undefined) return skip('no protected route known (--openapi or --protected)');
      const answer = await ctx.http.send({
        method: 'GET',
        path: fillPath(route.path),
        headers: { [ctx.target.apiKeyHeader]: `${marker()}_${'x'.repeat(32)}` },
      });
      return answer.status === 401
        ? pass(`a made-up ${ctx.target.apiKeyHeader} answered 401`)
        : fail(`a made-up ${ctx.target.apiKeyHeader} answered ${answer.status}`, [answer], AUTH_FIELDS);
    },
  },
];
