import type { ProbeAnswer, ProbeHttpRequest } from '../exchange.js';
import { fail, marker, pass, problemFault, skip } from '../outcome.js';
import type { CheckOutcome, ProbeCheck, ProbeContext } from '../types.js';
import { type BodyRoute, bodyRoute, withMembers } from './body-route.js';

/** Larger than any JSON API's limit worth having (express 100 KiB, fastify 1 MiB, nginx 1 MiB). */
const OVERSIZE = 2 * 1024 * 1024 + 1;

async function withBodyRoute(
  ctx: ProbeContext,
  run: (
    route: BodyRoute,
    send: (req: Omit<ProbeHttpRequest, 'method' | 'path'>) => ReturnType<ProbeContext['http']['send']>,
  ) => Promise<CheckOutcome>,
  needsValid = false,
): Promise<CheckOutcome> {
  const route = await bodyRoute(ctx);
  if (route === undefined) return skip('no JSON route known (--login or --openapi)');
  if (!route.consented && !ctx.http.allowWrites) return skip(`${route.method} ${route.path} needs --allow-writes`);
  if (needsValid && route.valid === undefined) return skip('no valid body known for the route (--login gives one)');
  return run(route, (req) =>
    ctx.http.send(
      { method: route.method, path: route.path, ...req, headers: { ...route.headers, ...req.headers } },
      { consented: route.consented },
    ),
  );
}

function oversized(route: BodyRoute): string {
  return withMembers(route.valid, `"pad":"${'a'.repeat(OVERSIZE)}"`);
}

/**
 * Sends once more when the connection ended without an answer: a server that answers 413
 * and closes while the upload is in flight can lose the answer to a TCP reset by chance.
 */
async function sendTwice(send: () => Promise<ProbeAnswer>): Promise<ProbeAnswer> {
  const answer = await send();
  return answer.status === 0 ? send() : answer;
}

/** Body handling: media type, size, prototype keys and unknown members. */
export const bodyChecks: readonly ProbeCheck[] = [
  {
    id: 'body.unsupported-media-type',
    title: 'A body of the wrong media type is a 415 problem',
    risk: 'API8:2023',
    fix: 'Check Content-Type before parsing and answer 415 (with the accepted types) instead of parsing text/plain as JSON or as {}.',
    run: (ctx) =>
      withBodyRoute(ctx, async (route, send) => {
        const answer = await send({
          headers: { 'content-type': 'text/plain' },
          body: JSON.stringify(route.valid ?? {}),
        });
        const fault = problemFault(answer, 415);
        return fault ? fail(fault, [answer]) : pass(`${route.path}: text/plain answered 415`);
      }),
  },
  {
    id: 'body.too-large',
    title: 'An oversized body is a 413 problem',
    risk: 'API4:2023',
    fix: 'Limit request bodies (100 KiB is plenty for most JSON APIs) and answer 413 problem+json before reading the rest.',
    run: (ctx) =>
      withBodyRoute(ctx, async (route, send) => {
        const answer = await sendTwice(() =>
          send({ headers: { 'content-type': 'application/json' }, body: oversized(route) }),
        );
        if (answer.status === 0) return fail('the connection closed without an answer', [answer]);
        const fault = problemFault(answer, 413);
        return fault ? fail(`2 MiB: ${fault}`, [answer]) : pass(`${route.path}: 2 MiB answered 413`);
      }),
  },
  {
    id: 'body.too-large-chunked',
    title: 'An oversized chunked body (no Content-Length) is a 413 problem',
    risk: 'API4:2023',
    fix: 'Count the bytes of chunked bodies as they arrive and stop at the limit; a Content-Length check alone lets chunked uploads through.',
    run: (ctx) =>
      withBodyRoute(ctx, async (route, send) => {
        const answer = await sendTwice(() =>
          send({ headers: { 'content-type': 'application/json' }, body: oversized(route), chunked: true }),
        );
        if (answer.status === 0) return fail('the connection closed without an answer', [answer]);
        const fault = problemFault(answer, 413);
        return fault ? fail(`2 MiB chunked: ${fault}`, [answer]) : pass(`${route.path}: 2 MiB chunked answered 413`);
      }),
  },
  {
    id: 'body.proto-key',
    title: '`__proto__` and `constructor` members are refused',
    risk: 'API8:2023',
    fix: 'Refuse JSON with __proto__, constructor or prototype keys (400) before any merge or validation (prototype pollution).',
    run: (ctx) =>
      withBodyRoute(
        ctx,
        async (route, send) => {
          const answers = [
            await send({
              headers: { 'content-type': 'application/json' },
              body: withMembers(route.valid, '"__proto__":{"isAdmin":true}'),
            }),
            await send({
              headers: { 'content-type': 'application/json' },
              body: withMembers(route.valid, '"constructor":{"prototype":{"isAdmin":true}}'),
            }),
          ];
          const accepted = answers.filter((a) => a.status !== 400 && a.status !== 422);
          return accepted.length > 0
            ? fail(`a body with a prototype key answered ${accepted[0]?.status}`, accepted)
            : pass(`prototype keys refused (${answers.map((a) => a.status).join(', ')})`);
        },
        true,
      ),
  },
  {
    id: 'body.unknown-fields',
    title: 'Unknown members of a body are refused, not ignored',
    risk: 'API3:2023',
    fix: 'Validate bodies with closed schemas (zod `.strict()`, JSON Schema additionalProperties: false) so `role`, `owner` or `id` cannot be mass-assigned.',
    run: (ctx) =>
      withBodyRoute(
        ctx,
        async (route, send) => {
          const name = marker().replace(/-/g, '_');
          const answer = await send({
            headers: { 'content-type': 'application/json' },
            body: withMembers(route.valid, `"${name}":true`),
          });
          return answer.status === 400 || answer.status === 422
            ? pass(`an unknown member answered ${answer.status}`)
            : fail(`a valid body with an unknown member answered ${answer.status}`, [answer]);
        },
        true,
      ),
  },
];
