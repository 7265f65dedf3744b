import { ConfigError, type Principal } from '@bulwark/core';
import { requestValidator } from '@bulwark/validation';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { mask, maskEmail } from './mask.js';
import { readableFields } from './readable.js';
import { roles } from './roles.js';
import { principalOf } from './test-helpers.js';

const userFields = readableFields({
  email: { requires: 'users:read', otherwise: mask(maskEmail) },
  role: { requires: 'users:read' },
  created_at: { requires: ['users:read'], otherwise: 'drop' },
});
const dave = { id: 'u-dave', email: 'dave@example.com', role: 'user', created_at: '2026-01-01T00:00:00.000Z' };
const alice = principalOf('alice', ['notes:read']);
const carol = principalOf('carol', ['notes:read', 'users:read']);

describe('readableFields', () => {
  it('drops or masks the ruled fields a principal may not read, keeps the rest', () => {
    expect(userFields.shape(alice, dave)).toEqual({ id: 'u-dave', email: 'd***@example.com' });
    expect(userFields.shape(carol, dave)).toEqual(dave);
    expect(userFields.shape(alice, [dave, { ...dave, email: 'bob@example.com' }])).toEqual([
      { id: 'u-dave', email: 'd***@example.com' },
      { id: 'u-dave', email: 'b***@example.com' },
    ]);
    expect(userFields.visible(alice)).toEqual([]);
    expect(userFields.visible(carol)).toEqual(['email', 'role', 'created_at']);
  });

  it('never changes its input and keeps __proto__ a plain field', () => {
    const input = JSON.parse('{"email":"x@y.z","__proto__":{"polluted":true},"role":"admin"}');
    const copy = structuredClone(input);
    const out = userFields.shape(alice, input) as Record<string, unknown>;
    expect(input).toEqual(copy);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.hasOwn(out, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(out.role).toBeUndefined();
  });

  it('a masked field that is not a string is dropped, never passed through', () => {
    expect(userFields.shape(alice, { email: { address: 'dave@example.com' } })).toEqual({});
    expect(userFields.shape(alice, { email: null })).toEqual({});
  });

  it('per role through roles(): a role is its scopes', () => {
    const r = roles({ viewer: ['notes:read'], admin: { inherits: ['viewer'], scopes: ['users:read'] } });
    const as = (role: 'viewer' | 'admin'): Principal => principalOf('x', r.scopesFor(role));
    expect(userFields.shape(as('viewer'), dave)).toEqual({ id: 'u-dave', email: 'd***@example.com' });
    expect(userFields.shape(as('admin'), dave)).toEqual(dave);
    const byRole = readableFields({ role: { requires: (p) => p.scopes.includes('users:read') } });
    expect(byRole.shape(as('viewer'), dave)).not.toHaveProperty('role');
  });

  it('keeps array elements that are not objects, and values that are not objects', () => {
    expect(userFields.shape(alice, [1, 'a', null] as never)).toEqual([1, 'a', null]);
  });

  it('checks its rules once, naming the field', () => {
    expect(() => readableFields({ email: { requires: 'users read' } })).toThrow(/"email.requires"/);
    expect(() => readableFields({ email: {} as never })).toThrow(/"email.requires"/);
    expect(() => readableFields({ email: { requires: 'a', otherwise: 'mask' as never } })).toThrow(/"email.otherwise"/);
    expect(() => readableFields({ email: 'users:read' as never })).toThrow(ConfigError);
    expect(() => readableFields({ email: { require: 'a' } as never })).toThrow(/did you mean "requires"/);
  });

  it('never leaks a ruled value to a principal without its scope, for arbitrary records and scopes', () => {
    const scope = fc.constantFrom('s1', 's2', 's3');
    const field = fc.constantFrom('a', 'b', 'c', 'd', '__proto__', 'constructor');
    const rule = fc.record({ requires: fc.uniqueArray(scope, { minLength: 1, maxLength: 2 }), masked: fc.boolean() });
    fc.assert(
      fc.property(
        fc.dictionary(field, rule),
        fc.dictionary(field, fc.oneof(fc.string(), fc.integer(), fc.constant(null))),
        fc.uniqueArray(scope),
        (ruleSet, record, held) => {
          const shaper = readableFields(
            Object.fromEntries(
              Object.entries(ruleSet).map(([k, r]) => [
                k,
                { requires: r.requires, otherwise: r.masked ? mask(() => '[masked]') : ('drop' as const) },
              ]),
            ),
          );
          const principal = principalOf('p', held);
          const input = JSON.parse(JSON.stringify(record));
          const out = shaper.shape(principal, input) as Record<string, unknown>;
          for (const key of Object.keys(input)) {
            const r = Object.hasOwn(ruleSet, key) ? ruleSet[key] : undefined;
            const allowed = r === undefined || r.requires.every((s) => held.includes(s));
            if (allowed) {
              expect(Object.hasOwn(out, key) && out[key]).toEqual(input[key]);
            } else if (r?.masked && typeof input[key] === 'string') {
              expect(out[key]).toBe('[masked]');
            } else {
              expect(Object.hasOwn(out, key)).toBe(false);
            }
          }
          // Nothing appears that was not in the input.
          for (const key of Object.keys(out)) expect(Object.hasOwn(input, key)).toBe(true);
        },
      ),
    );
  });
});

describe('shaping, then the output schema', () => {
  // The order the adapters run: the handler shapes, the route's output schema filters on the way out.
  const findUsers = requestValidator({
    output: z.object({
      users: z.array(
        z.object({ id: z.string(), email: z.string(), role: z.string().optional(), created_at: z.string().optional() }),
      ),
    }),
  });
  const record = { ...dave, passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA' };

  it('the schema drops what no rule names (a hash), shaping drops what the principal may not read', () => {
    const masked = findUsers.filterOutput({ users: userFields.shape(alice, [record]) });
    expect(masked).toEqual({ users: [{ id: 'u-dave', email: 'd***@example.com' }] });
    const full = findUsers.filterOutput({ users: userFields.shape(carol, [record]) });
    expect(full).toEqual({ users: [dave] });
    expect(JSON.stringify([masked, full])).not.toContain('argon2');
  });
});
