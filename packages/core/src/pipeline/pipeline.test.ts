import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allow, type Decision, deny, respond } from '../decision.js';
import { BulwarkError } from '../errors.js';
import { applyHeaders, type HeaderSink } from '../headers.js';
import type { RequestPolicy } from '../policy.js';
import type { Principal } from '../principal.js';
import type { RequestView } from '../request-view.js';
import { requirePrincipal, validationMissing } from './accessors.js';
import { mergeAllow, RequestContext } from './context.js';
import { evaluatePolicies } from './evaluate.js';
import { filterOutput } from './output.js';
import { policyList } from './policy-list.js';

const principal = (subject: string): Principal => ({
  subject,
  kind: 'user',
  scopes: [],
  source: { kind: 'jwt', issuer: 'https://issuer.example', tokenId: 't' },
  claims: {},
});

/** A view reading its principal from the context, as the adapters' views do. */
function contextView(context: RequestContext, init: { targetRefused?: boolean } = {}): RequestView {
  return {
    method: 'GET',
    path: '/v2/notes',
    header: () => undefined,
    clientIp: '203.0.113.7',
    ...(init.targetRefused === true ? { targetRefused: true } : {}),
    get principal() {
      return context.principal;
    },
  };
}

function recordingSink(): HeaderSink & { readonly fields: Map<string, string>; readonly removed: string[] } {
  const fields = new Map<string, string>();
  const removed: string[] = [];
  return {
    fields,
    removed,
    get: (name) => fields.get(name),
    set: (name, value) => void fields.set(name, value),
    remove: (name) => {
      fields.delete(name);
      removed.push(name);
    },
  };
}

const policy = (name: string, evaluate: (view: RequestView) => Decision | Promise<Decision>): RequestPolicy => ({
  name,
  evaluate,
});

describe('evaluatePolicies', () => {
  it('answers synchronously (no Promise) when every policy does, with every allow applied in order', () => {
    const context = new RequestContext();
    const sink = recordingSink();
    const outcome = evaluatePolicies(
      [
        policy('a', () =>
          allow(
            [
              ['vary', 'Origin'],
              ['x-a', '1'],
            ],
            { apiVersion: 'v1' },
          ),
        ),
        policy('b', () => allow([['vary', 'accept-version']], { apiVersion: 'v2', other: true })),
        policy('c', () => ({ kind: 'allow', headers: [], removeHeaders: ['x-powered-by'] })),
      ],
      contextView(context),
      context,
      sink,
    );
    expect(outcome).toBeUndefined();
    expect([...sink.fields]).toEqual([
      ['vary', 'Origin, accept-version'],
      ['x-a', '1'],
    ]);
    expect(sink.removed).toEqual(['x-powered-by']);
    expect(context.state).toEqual({ apiVersion: 'v2', other: true });
  });

  it('appends the RateLimit list fields of two rate limits that both allow (and Link); other names replace', () => {
    const context = new RequestContext();
    const sink = recordingSink();
    const limit = (name: string, q: number, r: number) =>
      policy(name, () =>
        allow([
          ['ratelimit-policy', `"${name}";q=${q};w=60`],
          ['ratelimit', `"${name}";r=${r};t=60`],
          ['x-last', name],
          ['link', `</${name}>; rel="help"`],
        ]),
      );
    const outcome = evaluatePolicies([limit('a', 100, 99), limit('b', 5, 4)], contextView(context), context, sink);
    expect(outcome).toBeUndefined();
    expect(Object.fromEntries(sink.fields)).toEqual({
      'ratelimit-policy': '"a";q=100;w=60, "b";q=5;w=60',
      ratelimit: '"a";r=99;t=60, "b";r=4;t=60',
      'x-last': 'b',
      link: '</a>; rel="help", </b>; rel="help"',
    });
  });

  it("a refusal after an allowing rate limit carries both policies' RateLimit items (applyHeaders on the refusal)", () => {
    const sink = recordingSink();
    applyHeaders(sink, [['ratelimit', '"a";r=99;t=60']]);
    applyHeaders(sink, [
      ['ratelimit', '"b";r=0;t=30'],
      ['retry-after', '30'],
    ]);
    expect(sink.get('ratelimit')).toBe('"a";r=99;t=60, "b";r=0;t=30');
    // A frozen list (shared by every request, as the header profile's is) reads the same.
    applyHeaders(sink, Object.freeze([Object.freeze(['retry-after', '31'] as const)]));
    expect(sink.get('retry-after')).toBe('31');
  });

  it('stops at the first refusal; the allows before it stay on the sink; later policies never run', async () => {
    let ran = false;
    const context = new RequestContext();
    const sink = recordingSink();
    const refusal = deny('rate_limited', 'slow down');
    const outcome = evaluatePolicies(
      [
        policy('a', () => allow([['x-a', '1']])),
        policy('b', async () => refusal),
        policy('c', () => {
          ran = true;
          return allow();
        }),
      ],
      contextView(context),
      context,
      sink,
    );
    expect(outcome).toBeInstanceOf(Promise);
    expect(await outcome).toBe(refusal);
    expect(ran).toBe(false);
    expect(sink.get('x-a')).toBe('1');
  });

  it('a policy after an authenticator sees the principal, sync or async', async () => {
    for (const asynchronous of [false, true]) {
      const context = new RequestContext();
      const seen: (string | undefined)[] = [];
      const authenticate = () => allow([], undefined, principal('alice'));
      await evaluatePolicies(
        [
          policy('before', (view) => {
            seen.push(view.principal?.subject);
            return allow();
          }),
          policy('auth', asynchronous ? async () => authenticate() : authenticate),
          policy('after', (view) => {
            seen.push(view.principal?.subject);
            return allow();
          }),
        ],
        contextView(context),
        context,
        recordingSink(),
      );
      expect(seen).toEqual([undefined, 'alice']);
      expect(context.principal?.subject).toBe('alice');
    }
  });

  it('a refused request target runs only the first policy and answers 400 with its allow headers', () => {
    const context = new RequestContext();
    const sink = recordingSink();
    let second = false;
    const outcome = evaluatePolicies(
      [
        policy('profile', () => allow([['x-content-type-options', 'nosniff']])),
        policy('limiter', () => {
          second = true;
          return allow();
        }),
      ],
      contextView(context, { targetRefused: true }),
      context,
      sink,
    );
    expect(outcome).toMatchObject({ kind: 'deny', status: 400, code: 'bad_request' });
    expect(sink.get('x-content-type-options')).toBe('nosniff');
    expect(second).toBe(false);
    const refusedFirst = evaluatePolicies(
      [policy('cors', () => respond(204))],
      contextView(context, { targetRefused: true }),
      context,
      recordingSink(),
    );
    expect(refusedFirst).toMatchObject({ status: 400 });
  });
});

describe('mergeAllow', () => {
  it('sets the principal once; the same subject again is fine; another subject is 400 invalid_request and keeps the first', () => {
    const context = new RequestContext();
    expect(mergeAllow(context, allow([], undefined, principal('alice')))).toBeUndefined();
    expect(mergeAllow(context, allow([], undefined, principal('alice')))).toBeUndefined();
    const conflict = mergeAllow(context, allow([], undefined, principal('bob')));
    expect(conflict).toMatchObject({ kind: 'deny', status: 400, code: 'invalid_request' });
    expect(JSON.stringify(conflict)).not.toMatch(/alice|bob/);
    expect(context.principal?.subject).toBe('alice');
  });

  it('keeps the principal out of the state and merges state shallowly (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.dictionary(fc.constantFrom('a', 'b', 'c'), fc.integer()), { maxLength: 5 }), (states) => {
        const context = new RequestContext();
        for (const state of states) mergeAllow(context, allow([], state, principal('p')));
        const expected = states.length === 0 ? undefined : Object.assign({}, ...states);
        expect(context.state).toEqual(expected);
      }),
    );
  });

  it('a guard stopped by a principal conflict sends the 400 and runs nothing after it', () => {
    const context = new RequestContext();
    let after = false;
    const outcome = evaluatePolicies(
      [
        policy('jwt', () => allow([], undefined, principal('alice'))),
        policy('api-key', () => allow([], undefined, principal('bob'))),
        policy('after', () => {
          after = true;
          return allow();
        }),
      ],
      contextView(context),
      context,
      recordingSink(),
    );
    expect(outcome).toMatchObject({ status: 400, code: 'invalid_request' });
    expect(after).toBe(false);
  });
});

describe('policyList, accessors, filterOutput', () => {
  it('accepts one policy or a non-empty list, refuses the rest at construction', () => {
    const p = policy('p', () => allow());
    expect(policyList(p)).toEqual([p]);
    expect(policyList([p, p])).toHaveLength(2);
    expect(() => policyList([])).toThrow(/policies/);
    expect(() => policyList([p, {} as RequestPolicy])).toThrow(/policies\[1\]/);
  });

  it('requirePrincipal throws unauthenticated (401); validationMissing is an adapter_misuse BulwarkError', () => {
    expect(requirePrincipal(principal('alice')).subject).toBe('alice');
    expect(() => requirePrincipal(undefined)).toThrow(BulwarkError);
    try {
      requirePrincipal(undefined);
    } catch (err) {
      expect((err as BulwarkError).code).toBe('unauthenticated');
    }
    expect(validationMissing('@bulwark/x').code).toBe('adapter_misuse');
  });

  it('filters only 2xx value bodies', () => {
    const validator = { hasOutput: true, filterOutput: (value: unknown) => ({ filtered: value }) };
    expect(filterOutput(validator, 200, { a: 1 })).toEqual({ filtered: { a: 1 } });
    expect(filterOutput(validator, 201, [1])).toEqual({ filtered: [1] });
    expect(filterOutput(validator, 404, { a: 1 })).toEqual({ a: 1 });
    expect(filterOutput(validator, 200, 'text')).toBe('text');
    const bytes = new Uint8Array(1);
    expect(filterOutput(validator, 200, bytes)).toBe(bytes);
    expect(filterOutput({ ...validator, hasOutput: false }, 200, { a: 1 })).toEqual({ a: 1 });
  });
});

describe('guardResolver', () => {
  it('shares one resolver between guards with equal client-IP options, and checks options as clientIpResolver does', async () => {
    const { guardResolver } = await import('./resolver-cache.js');
    expect(guardResolver({ trustProxy: { hops: 1 } })).toBe(guardResolver({ trustProxy: { hops: 1 } }));
    expect(guardResolver()).toBe(guardResolver({}));
    expect(guardResolver({ trustProxy: { hops: 1 } })).not.toBe(guardResolver({ trustProxy: { hops: 2 } }));
    expect(guardResolver({ trustProxy: { cidrs: ['loopback'] } })('127.0.0.1', () => '203.0.113.9')).toBe(
      '203.0.113.9',
    );
    expect(() => guardResolver({ trustProxy: true as never })).toThrow(/trustProxy/);
    expect(() => guardResolver({ trustProxy: true as never })).toThrow(/trustProxy/);
  });
});
