import { fail, marker, pass, skip } from '../outcome.js';
import type { ProbeCheck } from '../types.js';
import { corsRoute, FOREIGN_ORIGIN, grants, lookAlikes, members, preflight } from './support.js';

const CORS_FIELDS = ['access-control-allow-origin', 'access-control-allow-credentials', 'vary'];

/** The CORS checks (API8:2023): who may read the API's answers from a browser. */
export const corsChecks: readonly ProbeCheck[] = [
  {
    id: 'cors.foreign-origin',
    title: 'A foreign Origin is not granted',
    risk: 'API8:2023',
    fix: 'Compare Origin against an exact allowlist; never reflect the request Origin into Access-Control-Allow-Origin.',
    async run(ctx) {
      const { path, headers } = await corsRoute(ctx);
      const simple = await ctx.http.send({ method: 'GET', path, headers: { ...headers, origin: FOREIGN_ORIGIN } });
      const pre = await ctx.http.send(preflight(path, FOREIGN_ORIGIN));
      const granted = [simple, pre].filter((a) => grants(a, FOREIGN_ORIGIN));
      return granted.length > 0
        ? fail(`${FOREIGN_ORIGIN} is granted`, granted, CORS_FIELDS)
        : pass(`${FOREIGN_ORIGIN} is not granted on ${path}`);
    },
  },
  {
    id: 'cors.lookalike-origins',
    title: 'Look-alike origins (suffix, prefix, scheme, port, unescaped dot) are not granted',
    risk: 'API8:2023',
    fix: 'Match origins as structured values (scheme, host, port) compared exactly, not with startsWith, endsWith or unanchored regular expressions.',
    async run(ctx) {
      const { path, headers } = await corsRoute(ctx);
      const base = ctx.target.origin ?? new URL(ctx.target.baseUrl).origin;
      const granted = [];
      for (const origin of lookAlikes(base)) {
        const answer = await ctx.http.send({ method: 'GET', path, headers: { ...headers, origin } });
        if (grants(answer, origin)) granted.push(answer);
      }
      return granted.length > 0
        ? fail(`look-alikes of ${base} are granted`, granted, CORS_FIELDS)
        : pass(`${lookAlikes(base).length} look-alikes of ${base} are refused`);
    },
  },
  {
    id: 'cors.null-origin',
    title: 'The `null` origin is not granted',
    risk: 'API8:2023',
    fix: 'Never allow the origin `null`: sandboxed iframes and file: pages send it, so any site can.',
    async run(ctx) {
      const { path, headers } = await corsRoute(ctx);
      const simple = await ctx.http.send({ method: 'GET', path, headers: { ...headers, origin: 'null' } });
      const pre = await ctx.http.send(preflight(path, 'null'));
      const granted = [simple, pre].filter((a) => grants(a, 'null'));
      return granted.length > 0
        ? fail('the null origin is granted', granted, CORS_FIELDS)
        : pass('the null origin is refused');
    },
  },
  {
    id: 'cors.reflected-request-headers',
    title: 'Preflights do not reflect Access-Control-Request-Headers',
    risk: 'API8:2023',
    fix: 'Answer preflights with a fixed allowlist of request headers, and refuse the preflight when a header outside it is asked for.',
    async run(ctx) {
      const { path } = await corsRoute(ctx);
      const origin = ctx.target.origin ?? FOREIGN_ORIGIN;
      const name = `x-${marker()}`;
      const answer = await ctx.http.send(preflight(path, origin, name));
      const allowed = members(answer, 'access-control-allow-headers');
      if (allowed.includes(name))
        return fail(`the preflight allows the made-up header ${name}`, [answer], ['access-control-allow-headers']);
      if (
        allowed.includes('*') &&
        grants(answer, origin) &&
        answer.header('access-control-allow-credentials') === 'true'
      ) {
        return fail(
          'the preflight allows every header (*) with credentials',
          [answer],
          ['access-control-allow-headers'],
        );
      }
      return pass(`a made-up request header is not allowed (${answer.status})`);
    },
  },
  {
    id: 'cors.wildcard-credentials',
    title: 'No wildcard Access-Control-Allow-Origin together with credentials',
    risk: 'API8:2023',
    fix: 'With credentials, name each allowed origin; `*` is only for public, credential-less answers.',
    async run(ctx) {
      const { path, headers } = await corsRoute(ctx);
      const origin = ctx.target.origin ?? FOREIGN_ORIGIN;
      const answers = [
        await ctx.http.send({ method: 'GET', path, headers: { ...headers, origin } }),
        await ctx.http.send(preflight(path, origin, 'authorization')),
      ];
      const bad = answers.filter(
        (a) =>
          a.header('access-control-allow-origin')?.trim() === '*' &&
          a.header('access-control-allow-credentials')?.trim() === 'true',
      );
      return bad.length > 0
        ? fail('`*` is sent with Allow-Credentials: true', bad, CORS_FIELDS)
        : pass('no wildcard with credentials');
    },
  },
  {
    id: 'cors.vary-origin',
    title: 'Answers that depend on Origin carry Vary: Origin (granted and refused alike)',
    risk: 'API8:2023',
    fix: 'Add `Vary: Origin` to every answer whose CORS fields depend on the Origin, including refusals, so caches keep them apart.',
    async run(ctx) {
      const { path, headers } = await corsRoute(ctx);
      const origin = ctx.target.origin;
      if (origin === undefined)
        return skip('no allowed origin given (--origin): cannot tell which answers depend on Origin');
      const granted = await ctx.http.send({ method: 'GET', path, headers: { ...headers, origin } });
      if (!grants(granted, origin)) return skip(`${origin} is not granted on ${path}: give an origin the API allows`);
      const refused = await ctx.http.send({ method: 'GET', path, headers: { ...headers, origin: FOREIGN_ORIGIN } });
      const missing = [granted, refused].filter((a) => !members(a, 'vary').some((v) => v === 'origin' || v === '*'));
      return missing.length > 0
        ? fail('an Origin-dependent answer has no Vary: Origin', missing, CORS_FIELDS)
        : pass('granted and refused answers both vary on Origin');
    },
  },
  {
    id: 'cors.preflight-max-age',
    title: 'Preflight max-age is at most 86400 seconds',
    risk: 'API8:2023',
    fix: 'Keep Access-Control-Max-Age at or under 86400 (browsers cap it; a longer one only delays a policy change).',
    async run(ctx) {
      const origin = ctx.target.origin;
      if (origin === undefined) return skip('no allowed origin given (--origin)');
      const { path } = await corsRoute(ctx);
      const answer = await ctx.http.send(preflight(path, origin));
      if (!grants(answer, origin)) return skip(`the preflight from ${origin} is not granted (${answer.status})`);
      const value = answer.header('access-control-max-age');
      if (value === undefined) return pass('no Access-Control-Max-Age (browsers use 5 s)');
      return /^\d+$/.test(value.trim()) && Number(value) <= 86400
        ? pass(`Access-Control-Max-Age: ${value}`)
        : fail(`Access-Control-Max-Age is ${value}`, [answer], ['access-control-max-age']);
    },
  },
];
