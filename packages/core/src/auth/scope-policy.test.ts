import { describe, expect, it } from 'vitest';
import { manualClock } from '../clock.js';
import type { Decision, DenyDecision } from '../decision.js';
import { decisionForError, problemHandlerOptions } from '../error-decision.js';
import { BulwarkError, ConfigError } from '../errors.js';
import type { SecurityEvent } from '../events.js';
import { requirePrincipal } from '../pipeline/accessors.js';
import { requestView } from '../request-view.js';
import { scopePolicy } from './scope-policy.js';
import { principalOf } from './test-authenticators.js';

const alice = principalOf('alice', ['notes:read', 'notes:write']);
const bob = principalOf('bob', ['notes:read']);
const view = (principal?: typeof alice) =>
  requestView({ method: 'POST', path: '/v2/notes', ...(principal ? { principal } : {}) });

function denied(decision: Decision | Promise<Decision>): DenyDecision {
  if (decision instanceof Promise || decision.kind !== 'deny') throw new Error('expected a synchronous deny');
  return decision;
}
const challengeOf = (decision: DenyDecision) =>
  decision.headers.filter(([name]) => name === 'www-authenticate').map(([, value]) => value);

describe('scopePolicy', () => {
  it('lets a principal with every required scope through', () => {
    expect(scopePolicy('notes:write').evaluate(view(alice))).toEqual({ kind: 'allow', headers: [] });
    expect(scopePolicy(['notes:read', 'notes:write']).evaluate(view(alice))).toEqual({ kind: 'allow', headers: [] });
  });

  it('no principal: 401 unauthenticated with the Bearer challenge', () => {
    const answer = denied(scopePolicy('notes:write', { realm: 'notes-api' }).evaluate(view()));
    expect(answer.status).toBe(401);
    expect(answer.problem.code).toBe('unauthenticated');
    expect(challengeOf(answer)).toEqual(['Bearer realm="notes-api"']);
  });

  it('a missing scope: 403 insufficient_scope, scope= and required_scope, and authz.denied naming what is missing', () => {
    const events: SecurityEvent[] = [];
    const policy = scopePolicy(['notes:read', 'notes:write', 'reports:write'], {
      realm: 'notes-api',
      onEvent: (event) => events.push(event),
      clock: manualClock(42),
    });
    const answer = denied(policy.evaluate(view(bob)));
    expect(answer.status).toBe(403);
    expect(answer.problem).toEqual({
      type: 'urn:bulwark:problem:insufficient_scope',
      title: 'Insufficient Scope',
      status: 403,
      detail: 'The credential does not grant every scope this resource requires.',
      code: 'insufficient_scope',
      required_scope: 'notes:read notes:write reports:write',
    });
    expect(challengeOf(answer)).toEqual([
      'Bearer realm="notes-api", error="insufficient_scope", scope="notes:read notes:write reports:write"',
    ]);
    expect(events).toEqual([
      {
        type: 'authz.denied',
        at: 42,
        layer: 'function',
        required: ['notes:read', 'notes:write', 'reports:write'],
        missing: ['notes:write', 'reports:write'],
        method: 'POST',
        path: '/v2/notes',
      },
    ]);
    expect(JSON.stringify(events)).not.toMatch(/bob/);
  });

  it('compares scopes exactly: case matters, a prefix is not a scope', () => {
    const policy = scopePolicy('notes:write');
    expect(denied(policy.evaluate(view(principalOf('x', ['NOTES:WRITE'])))).status).toBe(403);
    expect(denied(policy.evaluate(view(principalOf('x', ['notes:writer', 'notes'])))).status).toBe(403);
  });

  it('refuses scopes that are no RFC 6749 scope token, an empty list and unknown options', () => {
    expect(() => scopePolicy('notes:read notes:write')).toThrow(/"scopes".*pass a list/);
    expect(() => scopePolicy(['ok', 'bad"quote'])).toThrow(/"scopes\[1\]"/);
    expect(() => scopePolicy([])).toThrow(ConfigError);
    expect(() => scopePolicy('')).toThrow(ConfigError);
    expect(() => scopePolicy('a', { optional: true } as never)).toThrow(/"optional"/);
    expect(() => scopePolicy('a', { realm: 'x\ny' })).toThrow(/"realm"/);
  });

  it('dedupes a repeated scope in the challenge', () => {
    const answer = denied(scopePolicy(['a', 'b', 'a']).evaluate(view(bob)));
    expect(answer.problem.required_scope).toBe('a b');
  });
});

describe("the error handlers' 401 (requireAuth() without a principal)", () => {
  it('carries the Bearer challenge, with the configured realm (RFC 9110 §15.5.2)', () => {
    let thrown: unknown;
    try {
      requirePrincipal(undefined);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(BulwarkError);
    const plain = decisionForError(thrown);
    expect(plain.status).toBe(401);
    expect(challengeOf(plain)).toEqual(['Bearer']);
    const withRealm = decisionForError(thrown, problemHandlerOptions({ realm: 'notes-api' }));
    expect(challengeOf(withRealm)).toEqual(['Bearer realm="notes-api"']);
    expect(withRealm.problem.detail).toBe('This resource requires authentication.');
    // A 401 a handler throws (`ctx.throw(401)`) challenges too.
    expect(challengeOf(decisionForError({ status: 401 }, { realm: 'notes-api' }))).toEqual([
      'Bearer realm="notes-api"',
    ]);
    expect(decisionForError({ status: 403 }).headers).toEqual([]);
  });

  it('checks the realm when the handler is built', () => {
    expect(() => problemHandlerOptions({ realm: 'a\r\nb' })).toThrow(/"realm"/);
    expect(() => problemHandlerOptions({ ralm: 'x' } as never)).toThrow(/did you mean "realm"/);
  });
});
