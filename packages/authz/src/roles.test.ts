import { BulwarkError, ConfigError } from '@bulwark/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { roles } from './roles.js';
import { grantable } from './scopes.js';

const demo = () =>
  roles({
    viewer: ['notes:read'],
    user: { inherits: ['viewer'], scopes: ['notes:write', 'reports:write', 'keys:manage'] },
    admin: { inherits: ['user'], scopes: ['users:read', 'admin'] },
  });

function refusal(build: () => unknown): ConfigError {
  try {
    build();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('accepted');
}

describe('roles', () => {
  it('maps each role to its inherited scopes, then its own, transitively and without duplicates', () => {
    const r = demo();
    expect(r.names).toEqual(['viewer', 'user', 'admin']);
    expect(r.scopesFor('viewer')).toEqual(['notes:read']);
    expect(r.scopesFor('user')).toEqual(['notes:read', 'notes:write', 'reports:write', 'keys:manage']);
    expect(r.scopesFor('admin')).toEqual([
      'notes:read',
      'notes:write',
      'reports:write',
      'keys:manage',
      'users:read',
      'admin',
    ]);
    expect(r.scopesFor(['viewer', 'user'])).toEqual(['notes:read', 'notes:write', 'reports:write', 'keys:manage']);
    expect(Object.isFrozen(r.scopesFor('admin'))).toBe(true);
  });

  it('a diamond: scopes of a role inherited twice appear once', () => {
    const r = roles({
      base: ['a'],
      left: { inherits: ['base'], scopes: ['l'] },
      right: { inherits: ['base'] },
      top: { inherits: ['left', 'right'] },
    });
    expect(r.scopesFor('top')).toEqual(['a', 'l']);
    expect(r.scopesFor('right')).toEqual(['a']);
  });

  it('refuses an unknown role at run time, including inherited names such as toString and __proto__', () => {
    const r = demo();
    for (const role of ['owner', 'toString', '__proto__', 'constructor', '']) {
      expect(r.has(role)).toBe(false);
      expect(() => r.scopesFor(role as 'user')).toThrow(BulwarkError);
    }
    expect(() => r.scopesFor(['user', 'ghost' as 'user'])).toThrow(/not a defined role/);
    expect(r.has('admin')).toBe(true);
    expect(r.has(42)).toBe(false);
    // A role read from storage is a string: accepted by type, checked at run time.
    const stored: string = 'viewer';
    expect(r.scopesFor(stored)).toEqual(['notes:read']);
  });

  it('refuses, naming the role: an unknown inherited role, a cycle, a self-inheritance', () => {
    expect(refusal(() => roles({ admin: { inherits: ['user'], scopes: ['admin'] } })).option).toBe('admin.inherits[0]');
    const cycle = refusal(() => roles({ a: { inherits: ['b'] }, b: { inherits: ['c'] }, c: { inherits: ['a'] } }));
    expect(cycle.option).toBe('c.inherits');
    expect(cycle.message).toContain('a -> b -> c -> a');
    expect(refusal(() => roles({ self: { inherits: ['self'] } })).message).toContain('self -> self');
    // Inheriting from a prototype name is not inheriting from a role.
    expect(refusal(() => roles({ a: { inherits: ['toString'] } })).option).toBe('a.inherits[0]');
  });

  it('refuses empty or spaced role names, bad scopes, bad shapes and unknown keys', () => {
    expect(refusal(() => roles({ '': ['a'] })).option).toBe('""');
    expect(refusal(() => roles({ 'power user': ['a'] })).option).toBe('power user');
    expect(refusal(() => roles({})).option).toBe('roles');
    expect(refusal(() => roles([] as never)).option).toBe('roles');
    expect(refusal(() => roles({ viewer: ['notes:read', 'has space'] })).option).toBe('viewer[1]');
    expect(refusal(() => roles({ viewer: { scopes: ['a"b'] } })).option).toBe('viewer.scopes[0]');
    expect(refusal(() => roles({ viewer: 'notes:read' as never })).option).toBe('viewer');
    expect(refusal(() => roles({ viewer: { inherits: 'x' as never } })).option).toBe('viewer.inherits');
    const typo = refusal(() => roles({ viewer: { inherit: ['x'] } as never }));
    expect(typo.option).toBe('viewer.inherit');
    expect(typo.message).toContain('did you mean "inherits"?');
  });

  it('resolves any acyclic inheritance to the union of the reachable own scopes', () => {
    // Roles r0..rn, each inheriting only from lower-numbered roles: acyclic by construction.
    const graph = fc
      .array(
        fc.record({
          own: fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'd', 'e'), { maxLength: 3 }),
          parents: fc.array(fc.nat(), { maxLength: 3 }),
        }),
        { minLength: 1, maxLength: 8 },
      )
      .map((nodes) =>
        nodes.map((node, i) => ({
          own: node.own,
          parents: i === 0 ? [] : [...new Set(node.parents.map((p) => p % i))],
        })),
      );
    fc.assert(
      fc.property(graph, (nodes) => {
        const definition = Object.fromEntries(
          nodes.map((n, i) => [`r${i}`, { inherits: n.parents.map((p) => `r${p}`), scopes: n.own }]),
        );
        const r = roles(definition);
        const reach = (i: number): Set<string> => {
          const all = new Set<string>(nodes[i]?.own);
          for (const p of nodes[i]?.parents ?? []) for (const s of reach(p)) all.add(s);
          return all;
        };
        nodes.forEach((_, i) => {
          const scopes = r.scopesFor(`r${i}`);
          expect(new Set(scopes)).toEqual(reach(i));
          expect(scopes.length).toBe(new Set(scopes).size);
        });
      }),
    );
  });
});

describe('grantable', () => {
  it('answers the requested scopes beyond those held, once each, in the order asked', () => {
    expect(grantable(['notes:read', 'notes:write'], ['notes:read'])).toEqual([]);
    expect(grantable(['notes:read'], ['admin', 'notes:read', 'admin', 'users:read'])).toEqual(['admin', 'users:read']);
    expect(grantable([], [])).toEqual([]);
    // Exact comparison: case and prefixes matter.
    expect(grantable(['notes:read'], ['NOTES:READ', 'notes'])).toEqual(['NOTES:READ', 'notes']);
  });

  it('is empty exactly when the request is a subset of what is held', () => {
    const scope = fc.constantFrom('a', 'b', 'c', 'd', 'A');
    fc.assert(
      fc.property(fc.array(scope), fc.array(scope), (held, requested) => {
        const beyond = grantable(held, requested);
        expect(beyond.length === 0).toBe(requested.every((s) => held.includes(s)));
        for (const s of beyond) expect(held).not.toContain(s);
        for (const s of requested) if (!held.includes(s)) expect(beyond).toContain(s);
      }),
    );
  });
});
