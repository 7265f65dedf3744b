import { publicPath, readableRoute } from '../context.js';
import type { ProbeAnswer } from '../exchange.js';
import { fail, pass, problemFault, skip } from '../outcome.js';
import { fillPath } from '../target.js';
import type { ProbeCheck, ProbeContext } from '../types.js';
import { parseRateLimitField, smallestRemaining } from './ratelimit-fields.js';

const FIELDS = ['ratelimit-policy', 'ratelimit', 'retry-after'];

/** The most requests the burst check sends when no RateLimit field says how many are left. */
export const BURST_LIMIT = 150;

/** GET routes worth bursting: the protected one with the credential, and the first public one. */
async function burstCandidates(ctx: ProbeContext): Promise<Array<{ path: string; headers: Record<string, string> }>> {
  const list: Array<{ path: string; headers: Record<string, string> }> = [];
  const credential = await ctx.credential();
  const route = readableRoute(ctx.target);
  if (credential && route) list.push({ path: fillPath(route.path), headers: credential });
  list.push({ path: publicPath(ctx.target), headers: {} });
  return list;
}

const HTTP_DATE =
  /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;

/** Rate limits (API4:2023): advertised in well-formed fields, enforced with 429 and Retry-After. */
export const rateLimitChecks: readonly ProbeCheck[] = [
  {
    id: 'ratelimit.fields',
    title: 'RateLimit and RateLimit-Policy fields are well formed (RFC 8941, httpapi draft)',
    risk: 'API4:2023',
    fix: 'Send `RateLimit-Policy: "name";q=100;w=60` and `RateLimit: "name";r=42;t=17` as RFC 8941 Lists, each RateLimit member naming a policy.',
    async run(ctx) {
      const answers = [await ctx.sample('protected'), await ctx.sample('public'), await ctx.sample('not-found')].filter(
        (a): a is ProbeAnswer =>
          a !== undefined && (a.header('ratelimit') !== undefined || a.header('ratelimit-policy') !== undefined),
      );
      if (answers.length === 0)
        return skip('no answer carries RateLimit fields (the burst check says whether limits exist)');
      for (const answer of answers) {
        try {
          const policies = parseRateLimitField(answer.header('ratelimit-policy') ?? '', 'policy');
          const limits = parseRateLimitField(answer.header('ratelimit') ?? '', 'limit');
          const names = new Set(policies.map((p) => p.policy));
          const orphan = limits.find((l) => !names.has(l.policy));
          if (orphan)
            return fail(`RateLimit names "${orphan.policy}", which RateLimit-Policy does not`, [answer], FIELDS);
          if (limits.length === 0 || policies.length === 0)
            return fail('only one of RateLimit and RateLimit-Policy is sent', [answer], FIELDS);
        } catch (err) {
          return fail((err as Error).message, [answer], FIELDS);
        }
      }
      return pass(`${answers.length} answers carry well-formed RateLimit fields`);
    },
  },
  {
    id: 'ratelimit.burst',
    title: 'A burst gets 429 with Retry-After as problem+json',
    risk: 'API4:2023',
    fix: 'Rate-limit every route per client and per principal; answer 429 problem+json with Retry-After (and RateLimit fields).',
    async run(ctx) {
      // Aim at the route with the least quota left, as its RateLimit field says.
      let best: { path: string; headers: Record<string, string>; left: number } | undefined;
      for (const candidate of await burstCandidates(ctx)) {
        const first = await ctx.http.send({ method: 'GET', ...candidate });
        if (first.status === 429) return verdict(first);
        const left = smallestRemaining(first.header('ratelimit'));
        if (left !== undefined && (best === undefined || left < best.left)) best = { ...candidate, left };
      }
      const target = best ?? { ...(await burstCandidates(ctx))[0], left: BURST_LIMIT };
      const count = Math.min(target.left + 1, BURST_LIMIT);
      if (count > ctx.http.remaining)
        return skip(
          `a burst of ${count} requests does not fit the remaining budget (${ctx.http.remaining}); raise --budget`,
        );
      let last: ProbeAnswer | undefined;
      for (let i = 0; i < count; i++) {
        last = await ctx.http.send({ method: 'GET', path: target.path ?? '/', headers: target.headers ?? {} });
        if (last.status === 429) return verdict(last);
      }
      return fail(`no 429 after ${count} requests to ${target.path}`, last ? [last] : [], FIELDS);
    },
  },
];

function verdict(answer: ProbeAnswer) {
  const retry = answer.header('retry-after')?.trim();
  if (retry === undefined) return fail('429 without Retry-After', [answer], FIELDS);
  if (!/^\d+$/.test(retry) && !HTTP_DATE.test(retry))
    return fail(`Retry-After is malformed: ${retry}`, [answer], FIELDS);
  const fault = problemFault(answer, 429);
  if (fault) return fail(fault, [answer], FIELDS);
  return pass(`429 after the burst, Retry-After: ${retry}`, [answer], FIELDS);
}
