import { ConfigError, manualClock, type Problem, requestView } from '@bulwark/core';
import { requestValidator } from '@bulwark/validation';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { principalOf, recorder } from './test-helpers.js';
import { writableFields } from './writable.js';

const alice = principalOf('alice', ['notes:write']);
const carol = principalOf('carol', ['notes:write', 'admin']);
const userPatch = writableFields({
  name: true,
  email: true,
  role: 'admin',
  flags: { requires: ['admin', 'notes:write'] },
});

describe('writableFields', () => {
  it('lists what a principal may set', () => {
    expect(userPatch.fields(alice)).toEqual(['name', 'email']);
    expect(userPatch.fields(carol)).toEqual(['name', 'email', 'role', 'flags']);
  });

  it('accepts a body of writable fields', () => {
    expect(userPatch.check(alice, { name: 'A', email: 'a@example.com' })).toBeUndefined();
    expect(userPatch.check(alice, {})).toBeUndefined();
    expect(userPatch.check(carol, { role: 'admin', flags: [] })).toBeUndefined();
  });

  it('refuses fields not listed and fields listed for others: 422 with a pointer each, and an event', () => {
    const sink = recorder();
    const patch = writableFields(
      { title: true, pinned: 'admin' },
      { resource: 'note', onEvent: sink.onEvent, clock: manualClock(3) },
    );
    const decision = patch.check(
      alice,
      { title: 'ok', owner: 'dave', pinned: true, 'a/b~c': 1 },
      { method: 'PATCH', path: '/v2/notes/1' },
    );
    expect(decision?.status).toBe(422);
    expect(decision?.problem).toEqual({
      type: 'urn:bulwark:problem:validation_failed',
      title: 'Validation Failed',
      status: 422,
      detail: 'The request body does not match the schema.',
      code: 'validation_failed',
      errors: [
        { pointer: '/owner', detail: 'This field cannot be set.', in: 'body' },
        { pointer: '/pinned', detail: 'This field cannot be set.', in: 'body' },
        { pointer: '/a~1b~0c', detail: 'This field cannot be set.', in: 'body' },
      ],
    });
    expect(JSON.stringify(decision)).not.toContain('dave');
    expect(sink.events).toEqual([
      {
        type: 'authz.denied',
        at: 3,
        layer: 'property',
        resource: 'note',
        fields: ['owner', 'pinned', 'a/b~c'],
        method: 'PATCH',
        path: '/v2/notes/1',
      },
    ]);
    expect(patch.refused(alice, { owner: 'x', title: 'y' })).toEqual(['owner']);
  });

  it('refuses prototype names as fields like any other unlisted field', () => {
    const body = JSON.parse('{"__proto__":{"admin":true},"constructor":1,"toString":2}');
    expect(userPatch.refused(carol, body)).toEqual(['__proto__', 'constructor', 'toString']);
  });

  it('refuses a body that is not an object at pointer ""', () => {
    for (const body of [null, [], ['name'], 'name', 1]) {
      expect((userPatch.check(carol, body)?.problem.errors as unknown[] | undefined)?.[0]).toEqual({
        pointer: '',
        detail: 'Expected object.',
        in: 'body',
      });
    }
  });

  it('bounds the errors it lists', () => {
    const body = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`f${i}`, i]));
    expect(userPatch.check(alice, body)?.problem.errors).toHaveLength(50);
  });

  it('answers in the shape @bulwark/validation answers a strict schema with', () => {
    const strict = requestValidator({ body: z.object({ title: z.string() }) });
    const result = strict.validate({
      view: requestView({ method: 'PATCH', path: '/v2/notes/1', headers: { 'content-type': 'application/json' } }),
      rawQuery: '',
      params: {},
      body: new TextEncoder().encode('{"title":"x","owner":"dave"}'),
    });
    if (result instanceof Promise || result.ok || result.decision.kind !== 'deny') {
      throw new Error('expected a synchronous problem refusal');
    }
    const theirs = result.decision;
    const ours = writableFields({ title: true }).check(alice, { title: 'x', owner: 'dave' });
    expect(ours?.status).toBe(theirs.status);
    expect(ours?.code).toBe(theirs.code);
    const shape = (p: Problem | undefined) => ({
      ...p,
      errors: ((p?.errors ?? []) as Array<Record<string, unknown>>).map((e) => ({ ...e, detail: typeof e.detail })),
    });
    expect(Object.keys(ours?.problem ?? {}).sort()).toEqual(Object.keys(theirs.problem).sort());
    expect(shape(ours?.problem)).toEqual(shape(theirs.problem));
  });

  it('checks its rules and options once', () => {
    expect(() => writableFields({ role: 'has space' })).toThrow(/"role"/);
    expect(() => writableFields({ role: false as never })).toThrow(/"role"/);
    expect(() => writableFields({ role: [] })).toThrow(/"role"/);
    expect(() => writableFields(null as never)).toThrow(/"rules"/);
    expect(() => writableFields({}, { resorce: 'note' } as never)).toThrow(ConfigError);
    expect(() => writableFields({ role: { requires: 'a b' } })).toThrow(/"role.requires"/);
    expect(() => writableFields({ role: { require: 'admin' } as never })).toThrow(
      /"role.require".*did you mean "requires"/,
    );
    expect(() => writableFields({ role: (p) => p.subject === 'root' }).fields(principalOf('root', []))).not.toThrow();
  });

  it('for arbitrary bodies: refused is exactly the fields the principal may not set', () => {
    const field = fc.constantFrom('name', 'email', 'role', 'flags', 'owner', 'id', '__proto__');
    const scopes = fc.subarray(['admin', 'notes:write']);
    fc.assert(
      fc.property(fc.dictionary(field, fc.jsonValue()), scopes, (shape, held) => {
        const body = JSON.parse(JSON.stringify(shape));
        const principal = principalOf('p', held);
        const allowed = new Set(userPatch.fields(principal));
        const refused = userPatch.refused(principal, body);
        expect([...refused].sort()).toEqual(
          Object.keys(body)
            .filter((k) => !allowed.has(k))
            .sort(),
        );
        expect(userPatch.check(principal, body) === undefined).toBe(refused.length === 0);
      }),
    );
  });
});
