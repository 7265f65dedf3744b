import { createHook } from 'node:async_hooks';
import { describe, expect, it } from 'vitest';
import { manualClock } from '../clock.js';
import type { Decision, DenyDecision } from '../decision.js';
import { BulwarkError, ConfigError } from '../errors.js';
import type { SecurityEvent } from '../events.js';
import type { HeaderSink } from '../headers.js';
import { RequestContext } from '../pipeline/context.js';
import { evaluatePolicies } from '../pipeline/evaluate.js';
import { type RequestView, requestView } from '../request-view.js';
import { authenticationPolicy } from './authentication-policy.js';
import type { Authenticator } from './authenticator.js';
import { scopePolicy } from './scope-policy.js';
import { apiKeyAuthenticator, principalOf, tokenAuthenticator } from './test-authenticators.js';

const view = (headers: Record<string, string> = {}, principal?: RequestView['principal']): RequestView =>
  requestView({
    method: 'GET',
    path: '/v2/notes',
    headers,
    clientIp: '203.0.113.7',
    ...(principal ? { principal } : {}),
  });

function sync(decision: Decision | Promise<Decision>): Decision {
  if (decision instanceof Promise) throw new Error('expected a synchronous decision');
  return decision;
}

function denied(decision: Decision): DenyDecision {
  if (decision.kind !== 'deny') throw new Error(`expected a deny, got ${decision.kind}`);
  return decision;
}

const challengeOf = (decision: DenyDecision) =>
  decision.headers.filter(([name]) => name === 'www-authenticate').map(([, value]) => value);

function setup(options: { optional?: boolean; async?: boolean } = {}) {
  const events: SecurityEvent[] = [];
  const calls: string[] = [];
  const policy = authenticationPolicy(
    [apiKeyAuthenticator({ calls }), tokenAuthenticator({ calls, ...(options.async ? { async: true } : {}) })],
    {
      realm: 'notes-api',
      onEvent: (event) => events.push(event),
      clock: manualClock(1_000),
      ...(options.optional === undefined ? {} : { optional: options.optional }),
    },
  );
  return { policy, events, calls };
}

describe('authenticationPolicy: the answers of DEMO.md', () => {
  it('no credential, or another scheme: 401 unauthenticated, a challenge without error, no event', () => {
    const { policy, events } = setup();
    for (const headers of [{}, { authorization: 'Basic dXNlcjpwYXNz' }]) {
      const answer = denied(sync(policy.evaluate(view(headers))));
      expect(answer.status).toBe(401);
      expect(answer.problem).toMatchObject({
        code: 'unauthenticated',
        detail: 'This resource requires authentication.',
      });
      expect(challengeOf(answer)).toEqual(['Bearer realm="notes-api"']);
    }
    expect(events).toEqual([]);
  });

  it('a malformed Bearer credential: 400 invalid_request, error="invalid_request", before any authenticator', () => {
    const { policy, events, calls } = setup();
    for (const authorization of ['Bearer', 'Bearer a b', 'Bearer a, Bearer b', 'Bearer ab$c']) {
      const answer = denied(sync(policy.evaluate(view({ authorization, 'x-api-key': 'bk_good_alice' }))));
      expect(answer.status).toBe(400);
      expect(answer.problem.code).toBe('invalid_request');
      expect(challengeOf(answer)).toEqual(['Bearer realm="notes-api", error="invalid_request"']);
    }
    expect(calls).toEqual([]);
    expect(events).toHaveLength(4);
    expect(events[0]).toEqual({
      type: 'auth.failed',
      at: 1_000,
      authenticator: null,
      code: 'invalid_request',
      reason: 'malformed',
      method: 'GET',
      path: '/v2/notes',
      clientIp: '203.0.113.7',
    });
  });

  it('a failing token: 401 invalid_token, one fixed detail whatever the reason, never the token', () => {
    const { policy, events } = setup();
    const a = denied(sync(policy.evaluate(view({ authorization: 'Bearer expired-secret-token' }))));
    const b = denied(sync(policy.evaluate(view({ authorization: 'Bearer forged.secret.token' }))));
    expect(a).toBe(b);
    expect(a.status).toBe(401);
    expect(a.problem).toMatchObject({ code: 'invalid_token', detail: 'The access token is not valid.' });
    expect(challengeOf(a)).toEqual(['Bearer realm="notes-api", error="invalid_token"']);
    expect(JSON.stringify(a)).not.toMatch(/secret/);
    expect(events.map((e) => e.type === 'auth.failed' && [e.authenticator, e.code, e.reason])).toEqual([
      ['jwt', 'invalid_token', 'expired'],
      ['jwt', 'invalid_token', 'signature'],
    ]);
    expect(JSON.stringify(events)).not.toMatch(/secret/);
  });

  it('a failing API key: 401 invalid_api_key with the token challenge', () => {
    const { policy, events } = setup();
    for (const headers of [{ 'x-api-key': 'bk_bad_secret' }, { authorization: 'Bearer bk_bad_secret' }]) {
      const answer = denied(sync(policy.evaluate(view(headers))));
      expect(answer.status).toBe(401);
      expect(answer.problem).toMatchObject({ code: 'invalid_api_key', detail: 'The API key is not valid.' });
      expect(challengeOf(answer)).toEqual(['Bearer realm="notes-api", error="invalid_token"']);
    }
    expect(events.map((e) => e.type === 'auth.failed' && e.authenticator)).toEqual(['api-key', 'api-key']);
    expect(JSON.stringify(events)).not.toMatch(/secret|bk_/);
  });

  it('a valid credential: allow with the principal, no headers', () => {
    const { policy, events } = setup();
    const token = sync(policy.evaluate(view({ authorization: 'Bearer good-alice' })));
    expect(token).toEqual({
      kind: 'allow',
      headers: [],
      principal: principalOf('alice', ['notes:read', 'notes:write']),
    });
    const key = sync(policy.evaluate(view({ 'x-api-key': 'bk_good_bob' })));
    expect(key.kind === 'allow' && key.principal?.source).toEqual({ kind: 'api_key', keyId: 'kid-bob' });
    expect(events).toEqual([]);
  });

  it('without a realm, the challenges carry none', () => {
    const policy = authenticationPolicy(tokenAuthenticator());
    expect(challengeOf(denied(sync(policy.evaluate(view()))))).toEqual(['Bearer']);
    expect(challengeOf(denied(sync(policy.evaluate(view({ authorization: 'Bearer x' })))))).toEqual([
      'Bearer error="invalid_token"',
    ]);
  });
});

describe('authenticationPolicy: composition', () => {
  it('two credentials are 400 invalid_request, nothing verified: neither can ride on the other', () => {
    const { policy, calls, events } = setup();
    for (const headers of [
      // A bad API key with a good token beside it, a good key with a failing token, two good ones.
      { 'x-api-key': 'bk_bad', authorization: 'Bearer good-alice' },
      { 'x-api-key': 'bk_good_svc', authorization: 'Bearer expired-alice' },
      { 'x-api-key': 'bk_good_svc', authorization: 'Bearer good-alice' },
    ]) {
      const answer = denied(sync(policy.evaluate(view(headers))));
      expect(answer.status).toBe(400);
      expect(answer.problem.code).toBe('invalid_request');
      expect(challengeOf(answer)).toEqual(['Bearer realm="notes-api", error="invalid_request"']);
    }
    expect(calls).toEqual([]);
    expect(events.at(-1)).toMatchObject({
      type: 'auth.failed',
      code: 'invalid_request',
      reason: 'multiple_credentials',
    });
    // Its own detail: the Authorization field itself may be fine.
    const two = denied(sync(policy.evaluate(view({ 'x-api-key': 'bk_good_svc', authorization: 'Bearer good-alice' }))));
    expect(two.problem.detail).toBe('The request carries more than one credential: send one.');
    // A bearer value no authenticator claims, beside a key another one decides on: two credentials too.
    const keysOnly = authenticationPolicy(apiKeyAuthenticator({ calls }), { realm: 'notes-api' });
    const unclaimed = denied(
      sync(keysOnly.evaluate(view({ 'x-api-key': 'bk_good_svc', authorization: 'Bearer abc' }))),
    );
    expect([unclaimed.status, unclaimed.problem.code]).toEqual([400, 'invalid_request']);
    expect(calls).toEqual([]);
    // One credential claimed by two overlapping authenticators is one credential: the first decides.
    const overlapping = authenticationPolicy([tokenAuthenticator({ calls }), tokenAuthenticator({ calls })]);
    expect(sync(overlapping.evaluate(view({ authorization: 'Bearer good-alice' }))).kind).toBe('allow');
    expect(calls).toEqual(['jwt:good-alice']);
  });

  it('an authenticator answering both places of its form: two values are two credentials, one value is one', () => {
    const calls: string[] = [];
    const inner = tokenAuthenticator({ calls });
    const twoPlaces: Authenticator = {
      ...inner,
      claim: ({ view: v }) => {
        const found = [v.header('x-token-a'), v.header('x-token-b')].filter((t): t is string => t !== undefined);
        return found.length === 0 ? undefined : found.length === 1 ? found[0] : found;
      },
    };
    const policy = authenticationPolicy(twoPlaces, { realm: 'notes-api' });
    expect(denied(sync(policy.evaluate(view({ 'x-token-a': 'good-a', 'x-token-b': 'good-b' })))).status).toBe(400);
    expect(sync(policy.evaluate(view({ 'x-token-a': 'good-a', 'x-token-b': 'good-a' }))).kind).toBe('allow');
    expect(sync(policy.evaluate(view({ 'x-token-b': 'good-b' }))).kind).toBe('allow');
    expect(calls).toEqual(['jwt:good-a', 'jwt:good-b']);
    const empty = authenticationPolicy({ ...inner, claim: () => [] }, { realm: 'notes-api' });
    expect(denied(sync(empty.evaluate(view()))).problem.code).toBe('unauthenticated');
  });

  it('the first authenticator that claims decides: a failing credential never falls through', () => {
    const { policy, calls } = setup();
    expect(denied(sync(policy.evaluate(view({ 'x-api-key': 'bk_bad' })))).problem.code).toBe('invalid_api_key');
    expect(denied(sync(policy.evaluate(view({ authorization: 'Bearer bk_bad' })))).problem.code).toBe(
      'invalid_api_key',
    );
    expect(denied(sync(policy.evaluate(view({ authorization: 'Bearer expired-x' })))).problem.code).toBe(
      'invalid_token',
    );
    expect(calls).toEqual(['key:bk_bad', 'key:bk_bad', 'jwt:expired-x']);
  });

  it('optional: no credential goes on anonymously; a failing or unclaimed credential is still refused', () => {
    const { policy } = setup({ optional: true });
    const anonymous = sync(policy.evaluate(view()));
    expect(anonymous).toEqual({ kind: 'allow', headers: [] });
    expect(sync(policy.evaluate(view({ authorization: 'Basic abc' }))).kind).toBe('allow');
    expect(denied(sync(policy.evaluate(view({ authorization: 'Bearer nope' })))).problem.code).toBe('invalid_token');
    expect(denied(sync(policy.evaluate(view({ 'x-api-key': 'bk_nope' })))).problem.code).toBe('invalid_api_key');
    expect(denied(sync(policy.evaluate(view({ authorization: 'Bearer a b' })))).problem.code).toBe('invalid_request');
    const keysOnly = authenticationPolicy(apiKeyAuthenticator(), { optional: true });
    // A bearer token no authenticator claims is a presented credential: invalid_token, not anonymous.
    expect(denied(sync(keysOnly.evaluate(view({ authorization: 'Bearer eyJ.x.y' })))).problem.code).toBe(
      'invalid_token',
    );
  });

  it('an asynchronous authenticator: the same answers, through a Promise', async () => {
    const { policy } = setup({ async: true });
    const ok = policy.evaluate(view({ authorization: 'Bearer good-carol' }));
    expect(ok).toBeInstanceOf(Promise);
    expect((await ok).kind === 'allow' && ((await ok) as { principal?: { subject: string } }).principal?.subject).toBe(
      'carol',
    );
    expect(denied(await policy.evaluate(view({ authorization: 'Bearer bad' }))).problem.code).toBe('invalid_token');
  });

  it('creates no Promise at all on the synchronous path, through the pipeline with a scope check', () => {
    const { policy } = setup();
    const policies = [policy, scopePolicy('notes:write', { realm: 'notes-api' })];
    const sink: HeaderSink = { get: () => undefined, set: () => {}, remove: () => {} };
    // As the adapters' views do: the principal is the request context's.
    const contextual = (headers: Record<string, string>) => {
      const context = new RequestContext();
      const base = view(headers);
      const request: RequestView = {
        method: base.method,
        path: base.path,
        clientIp: base.clientIp,
        header: (name) => base.header(name),
        get principal() {
          return context.principal;
        },
      };
      return { request, context };
    };
    const run = () =>
      [{ authorization: 'Bearer good-alice' }, { authorization: 'Bearer bad' }, { 'x-api-key': 'bk_good_bob' }, {}].map(
        (headers) => {
          const { request, context } = contextual(headers);
          return evaluatePolicies(policies, request, context, sink);
        },
      );
    // Warm up first: the first call may initialise lazily.
    run();
    let promises = 0;
    const hook = createHook({
      init(_id, type) {
        if (type === 'PROMISE') promises++;
      },
    }).enable();
    const outcomes = run();
    hook.disable();
    expect(promises).toBe(0);
    expect(
      outcomes.map((o) =>
        o === undefined ? 'allow' : o instanceof Promise ? 'promise' : o.kind === 'deny' ? o.code : o.kind,
      ),
    ).toEqual(['allow', 'invalid_token', 'insufficient_scope', 'unauthenticated']);
  });

  it('an authenticator that allows without a principal is a bug (500), never anonymous', () => {
    const broken: Authenticator = {
      name: 'broken',
      claim: ({ bearer }) => bearer,
      verify: () => ({ ok: true }) as never,
    };
    const policy = authenticationPolicy(broken);
    expect(() => policy.evaluate(view({ authorization: 'Bearer x' }))).toThrow(BulwarkError);
  });

  it('an authenticator that answers anything but an explicit success is a failure', () => {
    const odd: Authenticator = { name: 'odd', claim: ({ bearer }) => bearer, verify: () => ({ ok: 'yes' }) as never };
    expect(denied(sync(authenticationPolicy(odd).evaluate(view({ authorization: 'Bearer x' })))).problem.code).toBe(
      'invalid_token',
    );
  });

  it("its answers are frozen and shared: no caller can change another request's answer", () => {
    const { policy } = setup();
    const answer = denied(sync(policy.evaluate(view())));
    expect(Object.isFrozen(answer)).toBe(true);
    expect(Object.isFrozen(answer.problem)).toBe(true);
    expect(Object.isFrozen(answer.headers)).toBe(true);
  });
});

describe('authenticationPolicy: options', () => {
  it('refuses unknown options, bad realms, sinks and clocks, and non-authenticators', () => {
    const jwt = tokenAuthenticator();
    expect(() => authenticationPolicy(jwt, { relam: 'x' } as never)).toThrow(/"relam".*did you mean "realm"/);
    expect(() => authenticationPolicy(jwt, { realm: 'a\r\nb' })).toThrow(ConfigError);
    expect(() => authenticationPolicy(jwt, { realm: '' })).toThrow(/"realm"/);
    expect(() => authenticationPolicy(jwt, { optional: 'yes' as never })).toThrow(/"optional"/);
    expect(() => authenticationPolicy(jwt, { onEvent: 'log' as never })).toThrow(/"onEvent"/);
    expect(() => authenticationPolicy(jwt, { clock: {} as never })).toThrow(/"clock"/);
    expect(() => authenticationPolicy([])).toThrow(/"authenticators"/);
    expect(() => authenticationPolicy([jwt, { name: 'x' } as never])).toThrow(/"authenticators\[1\]"/);
  });

  it('escapes a realm with quotes through challenge()', () => {
    const policy = authenticationPolicy(tokenAuthenticator(), { realm: 'say "hi"' });
    expect(challengeOf(denied(sync(policy.evaluate(view()))))).toEqual(['Bearer realm="say \\"hi\\""']);
  });
});
