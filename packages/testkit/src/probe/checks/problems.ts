import { publicPath } from '../context.js';
import type { ProbeAnswer } from '../exchange.js';
import { fail, leakIn, marker, pass, problemFault, skip } from '../outcome.js';
import type { ProbeCheck } from '../types.js';
import { bodyRoute } from './body-route.js';

const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json' };

/** Problem hygiene (API8:2023): errors as consistent problem+json, never a stack trace or a framework page. */
export const problemChecks: readonly ProbeCheck[] = [
  {
    id: 'problem.not-found',
    title: 'An unknown path is a 404 application/problem+json',
    risk: 'API8:2023',
    fix: 'Answer unknown paths with an RFC 9457 problem (404, application/problem+json), not the framework default page.',
    async run(ctx) {
      const answer = await ctx.sample('not-found');
      const fault = answer && problemFault(answer, 404);
      if (answer === undefined) return skip('no answer');
      return fault ? fail(fault, [answer]) : pass(`${answer.request.path}: 404 problem+json`);
    },
  },
  {
    id: 'problem.method-not-allowed',
    title: 'A method the path does not serve is a 405 problem with Allow',
    risk: 'API8:2023',
    fix: 'Answer a known path with an unsupported method with 405, an `Allow` field and a problem body (RFC 9110 15.5.6).',
    async run(ctx) {
      const known = ctx.target.routes.find((r) => r.method === 'GET' && !/[{:]/.test(r.path));
      if (known === undefined) return skip('no GET route known (--openapi, --protected)');
      const path = known.path;
      const served = new Set(ctx.target.routes.filter((r) => r.path === path).map((r) => r.method));
      if (served.has('PUT')) return skip(`${path} serves PUT`);
      if (!ctx.http.allowWrites) return skip('sending PUT needs --allow-writes');
      const answer = await ctx.http.send({ method: 'PUT', path, headers: JSON_HEADERS, body: '{}' });
      const fault = problemFault(answer, 405) ?? (answer.header('allow') === undefined ? 'no Allow field' : undefined);
      return fault ? fail(fault, [answer], ['allow']) : pass(`PUT ${path}: 405 with Allow: ${answer.header('allow')}`);
    },
  },
  {
    id: 'problem.no-leaks',
    title: 'Error answers carry no stack trace, framework page or database error',
    risk: 'API8:2023',
    fix: 'Install one error handler that answers problem+json with a fixed detail and logs the error server-side; never send err.stack or err.message of unexpected errors.',
    async run(ctx) {
      const html = { accept: 'text/html,application/xhtml+xml' };
      const answers: ProbeAnswer[] = [
        await ctx.http.send({ method: 'GET', path: '/%E0%A4%A', headers: html }),
        await ctx.http.send({ method: 'GET', path: `/${marker()}/..%2f..%2fetc%2fpasswd`, headers: html }),
        await ctx.http.send({
          method: 'GET',
          path: `${publicPath(ctx.target)}?%ZZ=%ZZ&a[b]=1&a[b][c]=2`,
          headers: html,
        }),
      ];
      const route = await bodyRoute(ctx);
      if (route && (route.consented || ctx.http.allowWrites)) {
        answers.push(
          await ctx.http.send(
            {
              method: route.method,
              path: route.path,
              headers: { ...route.headers, ...JSON_HEADERS },
              body: '{"a": [1, 2',
            },
            { consented: route.consented },
          ),
        );
      }
      for (const answer of answers) {
        const leak = leakIn(answer);
        if (leak) return fail(`${answer.request.method} ${answer.request.path} shows ${leak}`, [answer]);
        if (answer.status >= 500) return fail(`${answer.request.path} answered ${answer.status}`, [answer]);
        if (answer.status >= 400 && /text\/html/i.test(answer.header('content-type') ?? '')) {
          return fail(`${answer.request.path} answered an HTML error page`, [answer]);
        }
      }
      return pass(`${answers.length} malformed requests answered without leaks`);
    },
  },
  {
    id: 'problem.malformed-json',
    title: 'Malformed JSON is a 400 problem without parser internals',
    risk: 'API8:2023',
    fix: 'Catch body-parser errors and answer a 400 problem with a fixed detail (no "Unexpected token ..." text).',
    async run(ctx) {
      const route = await bodyRoute(ctx);
      if (route === undefined) return skip('no JSON route known (--login or --openapi)');
      if (!route.consented && !ctx.http.allowWrites) return skip(`${route.method} ${route.path} needs --allow-writes`);
      const answer = await ctx.http.send(
        {
          method: route.method,
          path: route.path,
          headers: { ...route.headers, ...JSON_HEADERS },
          body: '{"email": "x", ',
        },
        { consented: route.consented },
      );
      const fault =
        problemFault(answer, 400) ??
        (/Unexpected|JSON\.parse|position \d+/i.test(answer.text) ? 'the detail shows the parser error' : undefined);
      return fault ? fail(fault, [answer]) : pass(`${route.path}: 400 problem+json`);
    },
  },
  {
    id: 'http.trace-refused',
    title: 'TRACE is refused and nothing is echoed',
    risk: 'API8:2023',
    fix: 'Refuse TRACE (405 or 501): an echo of the request shows cookies and credentials to a script (cross-site tracing).',
    async run(ctx) {
      const echo = marker();
      const answer = await ctx.http.send({
        method: 'TRACE',
        path: publicPath(ctx.target),
        headers: { 'x-bulwark-probe': echo },
      });
      if (answer.status >= 200 && answer.status < 300) return fail(`TRACE answered ${answer.status}`, [answer]);
      if (answer.text.includes(echo) || /message\/http/i.test(answer.header('content-type') ?? '')) {
        return fail('the TRACE answer echoes the request', [answer]);
      }
      return pass(`TRACE answered ${answer.status}`);
    },
  },
];
