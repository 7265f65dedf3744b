import { REQUEST_TARGET_REFUSED_DETAIL } from '@bulwark/core';
import fc from 'fast-check';
import { expect } from 'vitest';
import type { ProbeResponse } from '../http-client.js';
import { expectProblem, expectProfile } from './expect.js';
import type { AdapterScenario } from './scenario.js';

/**
 * What every framework must do with a request target:
 * - `routed`: the route answers, and its scoped policy was applied;
 * - `refused`: 400 problem+json, the route never runs;
 * - `agree`: the routers differ here (case, trailing slash, dot segments, encodings), so
 *   the status may differ, but whenever the route answers, its scoped policy was applied.
 */
type Outcome = 'routed' | 'refused' | 'agree';

/** A route and the trace its path-scoped policy leaves on every answer it applies to. */
interface ScopedRoute {
  readonly path: string;
  readonly policy: string;
  answeredByRoute(res: ProbeResponse): boolean;
  expectPolicyApplied(res: ProbeResponse): void;
}

const SCOPED_ROUTES: readonly ScopedRoute[] = [
  {
    path: '/v2/odd',
    policy: 'a rate limit scoped to the route',
    answeredByRoute: (res) => res.status < 300 && res.text.includes('"route":"odd"'),
    expectPolicyApplied: (res) => expect(res.header('ratelimit-policy')).toBe('"odd";q=1000;w=60'),
  },
  {
    path: '/v1/notes',
    policy: 'deprecation headers scoped to /v1',
    answeredByRoute: (res) => res.status < 300 && res.text.includes('"notes"'),
    expectPolicyApplied: (res) => {
      expect(res.header('deprecation')).toMatch(/^@\d+$/);
      expect(res.header('sunset')).toBeDefined();
    },
  },
];

/**
 * Why `agree` rows may answer differently: each router matches its own way (Express and
 * Koa ignore case and a trailing slash, Fastify and Hono decode percent-encoded letters,
 * Hono's URL parser resolves dot segments). What must hold is checked on each framework.
 */
const ROUTERS_DIFFER = 'each router matches odd spellings of a path its own way';

/** How a spelling is built from the route's path (`/v2/odd`, `/v1/notes`). */
const TARGETS: readonly (readonly [string, (path: string) => string, Outcome])[] = [
  ['origin-form', (p) => p, 'routed'],
  ['absolute-form', (p) => `http://api.example.com${p}`, 'routed'],
  ['absolute-form https with a port', (p) => `https://api.example.com:8443${p}?x=1`, 'routed'],
  ['absolute-form with an IPv6 host', (p) => `http://[::1]${p}`, 'routed'],
  ['absolute-form with an empty port', (p) => `http://api.example.com:${p}`, 'routed'],
  ['a backslash in the query', (p) => `${p}?a=\\b`, 'routed'],
  ['a query of 8 KB', (p) => `${p}?q=${'a'.repeat(8192)}`, 'routed'],
  ['absolute-form with a port over 65535', (p) => `http://x:99999${p}`, 'refused'],
  ['absolute-form with an empty host', (p) => `http://${p}`, 'refused'],
  ['absolute-form with userinfo and no host', (p) => `http://x@${p}`, 'refused'],
  ['absolute-form with userinfo', (p) => `http://user:pw@api.example.com${p}`, 'refused'],
  ['absolute-form with an upper-case scheme', (p) => `HTTP://api.example.com${p}`, 'refused'],
  ['absolute-form with the ftp scheme', (p) => `ftp://api.example.com${p}`, 'refused'],
  ['absolute-form with an unknown scheme', (p) => `foo://api.example.com${p}`, 'refused'],
  ['absolute-form with a host url.parse cuts short', (p) => `http://x~y${p}`, 'refused'],
  ['absolute-form with an invalid IPv4 host', (p) => `http://1.2.3.999${p}`, 'refused'],
  ['absolute-form with a fragment', (p) => `http://api.example.com${p}#f`, 'refused'],
  ['a backslash in the path', (p) => p.replace(/\/([^/]*)$/, '\\$1'), 'refused'],
  ['a backslash and a fragment', (p) => `${p.replace(/\/([^/]*)$/, '\\$1')}#x`, 'refused'],
  ['a double slash, a userinfo-like segment and a fragment', (p) => `//x@y${p}#z`, 'refused'],
  ['a double slash', (p) => `/${p}`, 'agree'],
  ['a double slash and a host-like segment', (p) => `//x${p}`, 'agree'],
  ['an encoded slash (%2F)', (p) => p.replace(/\/([^/]*)$/, '%2F$1'), 'agree'],
  ['encoded dot segments (%2e%2e)', (p) => `/x/%2e%2e${p}`, 'agree'],
  ['dot segments', (p) => `/x/..${p}`, 'agree'],
  ['a dot segment (/./)', (p) => `/.${p}`, 'agree'],
  ['upper case', (p) => p.toUpperCase(), 'agree'],
  ['matrix parameters (;params)', (p) => `${p};x=1`, 'agree'],
  ['a trailing slash', (p) => `${p}/`, 'agree'],
  ['a percent-encoded letter', (p) => p.replace(/[a-z]$/, (c) => `%${c.charCodeAt(0).toString(16)}`), 'agree'],
  ['a fragment', (p) => `${p}#x`, 'agree'],
  ['a path of 8 KB under the route', (p) => `${p}/${'a'.repeat(8192)}`, 'agree'],
];

/**
 * A refusal: 400 problem+json with the profile, worded the same whichever layer refused
 * (a guard, Fastify's router through `frameworkErrors`, Hono's node server through
 * `nodeServerErrors`).
 */
function expectRefused(res: ProbeResponse): void {
  const body = expectProblem(res, 400, 'bad_request');
  expect(body.detail).toBe(REQUEST_TARGET_REFUSED_DETAIL);
  expectProfile(res);
}

function check(route: ScopedRoute, outcome: Outcome, res: ProbeResponse): void {
  expect(res.status).toBeLessThan(500);
  if (outcome === 'refused') {
    expectRefused(res);
    return;
  }
  if (route.answeredByRoute(res)) {
    route.expectPolicyApplied(res);
    return;
  }
  expect(outcome, `expected the route to answer, got ${res.status}`).toBe('agree');
  // Not the route: a refusal, or a problem (404, 405) from no route at all.
  if (res.status === 400) expectRefused(res);
  else expect(res.header('content-type')).toMatch(/^application\/problem\+json/);
}

/**
 * The request-target table: for odd spellings of two routes with path-scoped policies,
 * the policy and the router agree on every framework. Either the request is refused with
 * 400, or, whenever the route answers, its policy was applied (the path the policies see
 * is the path the framework routes). See `requestTargetPath` in @bulwark/core.
 */
export const pathScenarios: readonly AdapterScenario[] = [
  ...SCOPED_ROUTES.flatMap((route) =>
    TARGETS.map(
      ([label, spell, outcome]): AdapterScenario => ({
        name: `Request target: ${label} of ${route.path} (${outcome}; ${route.policy})`,
        ...(outcome === 'agree' ? { frameworksMayDiffer: ROUTERS_DIFFER } : {}),
        request: { method: 'GET', path: spell(route.path) },
        check: (res) => check(route, outcome, res),
      }),
    ),
  ),
  {
    name: 'Request target: random spellings of /v2/odd: refused, or its scoped rate limit applied (property)',
    frameworksMayDiffer: ROUTERS_DIFFER,
    async run(send) {
      const [route] = SCOPED_ROUTES;
      if (route === undefined) throw new Error('no scoped route');
      const prefix = fc.constantFrom(
        '/',
        '//x@y',
        'http://h',
        'https://h:8443',
        'http://h:99999',
        'HTTP://h',
        'http://u@h',
        'http://',
        'ftp://h',
      );
      // Printable ASCII only: Node's client refuses the rest, Node's server too.
      const noise = fc.oneof(
        fc.constant([]),
        fc.array(fc.constantFrom(...'/.;%2e2F5c\\\\#?@:~!$&()*+,='.split('')), { maxLength: 3 }),
      );
      // The route's path, or with each character as is, upper-cased or percent-encoded.
      const variant = fc
        .array(fc.constantFrom('plain', 'upper', 'encoded'), {
          minLength: route.path.length,
          maxLength: route.path.length,
        })
        .map((ways) =>
          [...route.path]
            .map((c, i) =>
              ways[i] === 'upper'
                ? c.toUpperCase()
                : ways[i] === 'encoded' && c !== '/'
                  ? `%${c.charCodeAt(0).toString(16)}`
                  : c,
            )
            .join(''),
        );
      const spelled = fc.oneof(fc.constant(route.path), variant);
      await fc.assert(
        fc.asyncProperty(prefix, noise, spelled, noise, async (start, before, path, after) => {
          const res = await send({ method: 'GET', path: `${start}${before.join('')}${path}${after.join('')}` });
          expect(res.status).toBeLessThan(500);
          if (route.answeredByRoute(res)) route.expectPolicyApplied(res);
          // Anything else is a 4xx: a refusal (Node's parser refuses some of these before
          // any framework, without the profile), a 404 or a 405.
          else expect(res.status).toBeGreaterThanOrEqual(400);
        }),
        { numRuns: 100 },
      );
    },
  },
  {
    name: 'Request target: the asterisk-form (*) is refused with 400, for OPTIONS too',
    async run(send) {
      for (const method of ['OPTIONS', 'GET', 'POST']) expectRefused(await send({ method, path: '*' }));
    },
  },
  {
    name: 'Request target: a POST through a refused absolute-form target is refused on every framework, the route itself still served',
    async run(send) {
      for (const path of ['http://x:99999/v2/odd', 'http:///v2/odd', 'http://x@/v2/odd']) {
        expectRefused(await send({ method: 'POST', path }));
      }
      const after = await send({ method: 'POST', path: '/v2/odd' });
      expect(after.status).toBe(202);
      expect(after.header('ratelimit')).toMatch(/^"odd";r=\d+;t=\d+$/);
    },
  },
];
