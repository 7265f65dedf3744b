import { BulwarkError, ConfigError, decisionForError, manualClock } from '@bulwark/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { can, policy } from './policy.js';
import { type AuthzContext, allOf, anyOf, hasScope, isOwner, not, type Predicate } from './predicates.js';
import { principalOf, recorder } from './test-helpers.js';

interface Note {
  readonly ownerId: string;
  readonly locked: boolean;
}
const alice = principalOf('alice', ['notes:read', 'notes:write']);
const bob = principalOf('bob', ['notes:read']);
const carol = principalOf('carol', ['notes:read', 'notes:write', 'admin']);
const alicesNote: Note = { ownerId: 'alice', locked: false };
const owner = isOwner((note: Note) => note.ownerId);
const locked: Predicate<Note> = (c) => c.resource?.locked === true;

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('did not throw');
}

describe('predicates', () => {
  it('hasScope: every scope, compared exactly', () => {
    expect(hasScope('admin')({ principal: carol, action: 'x' })).toBe(true);
    expect(hasScope(['admin', 'notes:write'])({ principal: carol, action: 'x' })).toBe(true);
    expect(hasScope(['admin', 'notes:write'])({ principal: alice, action: 'x' })).toBe(false);
    expect(hasScope('Admin')({ principal: carol, action: 'x' })).toBe(false);
    expect(() => hasScope('two scopes')).toThrow(ConfigError);
    expect(() => hasScope([])).toThrow(ConfigError);
  });

  it('isOwner: the subject is the owner; no resource, an empty or non-string owner never match', () => {
    expect(owner({ principal: alice, action: 'x', resource: alicesNote })).toBe(true);
    expect(owner({ principal: bob, action: 'x', resource: alicesNote })).toBe(false);
    expect(owner({ principal: alice, action: 'x' })).toBe(false);
    expect(owner({ principal: principalOf('', []), action: 'x', resource: { ownerId: '', locked: false } })).toBe(
      false,
    );
    const numeric = isOwner((r: { owner: unknown }) => r.owner);
    expect(numeric({ principal: principalOf('1', []), action: 'x', resource: { owner: 1 } })).toBe(false);
    expect(() => isOwner('ownerId' as never)).toThrow(ConfigError);
  });

  it('allOf, anyOf and not combine, and only a strict true allows', () => {
    const edit = allOf(owner, hasScope('notes:write'), not(locked));
    expect(edit({ principal: alice, action: 'u', resource: alicesNote })).toBe(true);
    expect(edit({ principal: alice, action: 'u', resource: { ...alicesNote, locked: true } })).toBe(false);
    expect(edit({ principal: principalOf('alice', ['notes:read']), action: 'u', resource: alicesNote })).toBe(false);
    const read = anyOf(owner, hasScope('admin'));
    expect(read({ principal: bob, action: 'r', resource: alicesNote })).toBe(false);
    expect(read({ principal: carol, action: 'r', resource: alicesNote })).toBe(true);
    const truthy = (() => 1) as unknown as Predicate;
    const forgetful = (() => undefined) as unknown as Predicate;
    expect(allOf(truthy)({ principal: alice, action: 'x' })).toBe(false);
    expect(anyOf(truthy, forgetful)({ principal: alice, action: 'x' })).toBe(false);
    expect(not(truthy)({ principal: alice, action: 'x' })).toBe(true);
  });

  it('stops at the first deciding predicate', () => {
    const calls: string[] = [];
    const spy =
      (name: string, result: boolean): Predicate =>
      () => {
        calls.push(name);
        return result;
      };
    allOf(spy('a', false), spy('b', true))({ principal: alice, action: 'x' });
    anyOf(spy('c', true), spy('d', false))({ principal: alice, action: 'x' });
    expect(calls).toEqual(['a', 'c']);
  });

  it('refuses no predicate or a non-function at construction', () => {
    expect(() => allOf()).toThrow(/"allOf"/);
    expect(() => anyOf()).toThrow(/"anyOf"/);
    expect(() => anyOf(owner, 'admin' as never)).toThrow(/"anyOf\[1\]"/);
    expect(() => not(undefined as never)).toThrow(ConfigError);
  });

  it('obey boolean algebra on arbitrary truth values', () => {
    const constant =
      (value: boolean): Predicate =>
      () =>
        value;
    const context: AuthzContext = { principal: alice, action: 'x' };
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 1, maxLength: 6 }), (values) => {
        const list = values.map(constant);
        expect(allOf(...list)(context)).toBe(values.every(Boolean));
        expect(anyOf(...list)(context)).toBe(values.some(Boolean));
        // De Morgan
        expect(not(allOf(...list))(context)).toBe(anyOf(...list.map((p) => not(p)))(context));
      }),
    );
  });
});

describe('policy and can: deny by default', () => {
  const rules = {
    'notes:read': anyOf(owner, hasScope('admin')),
    'notes:update': allOf(owner, hasScope('notes:write'), not(locked)),
  };

  it('an action without a rule is denied, inherited names included', () => {
    const notes = policy<Note>(rules);
    expect(notes.actions).toEqual(['notes:read', 'notes:update']);
    for (const action of ['notes:delete', 'toString', '__proto__', 'constructor', 'hasOwnProperty', '']) {
      expect(notes.can({ principal: carol, action, resource: alicesNote })).toBe(false);
      expect(can(rules, { principal: carol, action, resource: alicesNote })).toBe(false);
    }
    expect(notes.can({ principal: carol, action: 'notes:read', resource: alicesNote })).toBe(true);
    expect(can(rules, { principal: bob, action: 'notes:read', resource: alicesNote })).toBe(false);
    expect(can(rules, { principal: alice, action: 'notes:update', resource: alicesNote })).toBe(true);
  });

  it('authorize: returns when allowed, else emits authz.denied and throws forbidden (403)', () => {
    const sink = recorder();
    const notes = policy<Note>(rules, { resource: 'note', onEvent: sink.onEvent, clock: manualClock(7) });
    notes.authorize({ principal: alice, action: 'notes:update', resource: alicesNote });
    expect(sink.events).toEqual([]);
    const err = thrown(() =>
      notes.authorize(
        { principal: bob, action: 'notes:update', resource: alicesNote },
        { method: 'PATCH', path: '/v2/notes/1', clientIp: '192.0.2.1' },
      ),
    );
    expect(err).toBeInstanceOf(BulwarkError);
    expect((err as BulwarkError).code).toBe('forbidden');
    expect(decisionForError(err).status).toBe(403);
    thrown(() => notes.authorize({ principal: bob, action: 'notes:create' }));
    expect(sink.events).toEqual([
      {
        type: 'authz.denied',
        at: 7,
        layer: 'object',
        action: 'notes:update',
        resource: 'note',
        method: 'PATCH',
        path: '/v2/notes/1',
        clientIp: '192.0.2.1',
      },
      { type: 'authz.denied', at: 7, layer: 'function', action: 'notes:create', resource: 'note' },
    ]);
    expect(JSON.stringify(sink.events)).not.toContain('bob');
  });

  it("deniedAs: 'not_found' throws the 404 the ownership helper throws", () => {
    const notes = policy<Note>(rules, { deniedAs: 'not_found' });
    const err = thrown(() => notes.authorize({ principal: bob, action: 'notes:update', resource: alicesNote }));
    expect((err as BulwarkError).code).toBe('not_found');
    expect(decisionForError(err).status).toBe(404);
  });

  it('a predicate that throws reaches the caller: never an allow', () => {
    const notes = policy({
      boom: () => {
        throw new TypeError('bug');
      },
    });
    expect(() => notes.can({ principal: alice, action: 'boom' })).toThrow(TypeError);
    expect(() => notes.authorize({ principal: alice, action: 'boom' })).toThrow(TypeError);
  });

  it('checks its rules and options once', () => {
    expect(() => policy({ 'notes:read': 'admin' as never })).toThrow(/"rules.notes:read"/);
    expect(() => policy({ 'has space': owner })).toThrow(/"rules.has space"/);
    expect(() => policy(null as never)).toThrow(/"rules"/);
    expect(() => policy({}, { deniedAs: 'gone' as never })).toThrow(/"deniedAs"/);
    expect(() => policy({}, { resource: '' })).toThrow(/"resource"/);
    expect(() => policy({}, { onEvent: 'log' as never })).toThrow(/"onEvent"/);
    expect(() => policy({}, { deniedA: 'not_found' } as never)).toThrow(/did you mean "deniedAs"/);
  });

  it('never allows an action outside the rules, for arbitrary action names', () => {
    const notes = policy<Note>(rules);
    fc.assert(
      fc.property(fc.string(), (action) => {
        fc.pre(!Object.hasOwn(rules, action));
        expect(notes.can({ principal: carol, action, resource: alicesNote })).toBe(false);
        expect(can(rules, { principal: carol, action, resource: alicesNote })).toBe(false);
      }),
    );
  });
});
