import { BulwarkError, ConfigError, decisionForError, manualClock, problemJson } from '@bulwark/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ownedBy } from './ownership.js';
import { hasScope } from './predicates.js';
import { principalOf, recorder } from './test-helpers.js';

interface Note {
  readonly id: string;
  readonly ownerId: string;
  readonly title: string;
}
const alice = principalOf('alice', ['notes:read', 'notes:write']);
const dave = principalOf('dave', ['notes:read', 'notes:write']);
const carol = principalOf('carol', ['notes:read', 'admin']);
const db = new Map<string, Note>([['n1', { id: 'n1', ownerId: 'alice', title: 'secret plans' }]]);

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('resolved');
}

describe('ownedBy', () => {
  it("answers the owner's object, and the same not_found for a foreign and a missing one", async () => {
    const sink = recorder();
    const notes = ownedBy({
      load: (id: string) => db.get(id),
      owner: (note: Note) => note.ownerId,
      resource: 'note',
      onEvent: sink.onEvent,
      clock: manualClock(5),
    });
    expect(await notes.load(alice, 'n1')).toEqual(db.get('n1'));
    const foreign = await rejection(
      notes.load(dave, 'n1', { action: 'notes:update', where: { method: 'PATCH', path: '/v2/notes/n1' } }),
    );
    const missing = await rejection(notes.load(dave, 'n2'));
    for (const err of [foreign, missing]) {
      expect(err).toBeInstanceOf(BulwarkError);
      expect((err as BulwarkError).code).toBe('not_found');
    }
    expect((foreign as Error).message).toBe((missing as Error).message);
    // What a client gets: the same 404 problem, byte for byte.
    const [a, b] = [decisionForError(foreign), decisionForError(missing)];
    expect(a.status).toBe(404);
    expect(problemJson(a)).toBe(problemJson(b));
    expect(a.headers).toEqual(b.headers);
    expect(problemJson(a)).not.toContain('secret');
    // Only the foreign object is an authorization event; the subject and the id are not in it.
    expect(sink.events).toEqual([
      {
        type: 'authz.denied',
        at: 5,
        layer: 'object',
        resource: 'note',
        action: 'notes:update',
        method: 'PATCH',
        path: '/v2/notes/n1',
      },
    ]);
    expect(JSON.stringify(sink.events)).not.toMatch(/dave|alice|secret/);
  });

  it('find answers undefined for both, and async loaders and null work alike', async () => {
    const notes = ownedBy({
      load: async (id: string) => db.get(id) ?? null,
      owner: (note: Note) => note.ownerId,
    });
    expect((await notes.find(alice, 'n1'))?.title).toBe('secret plans');
    expect(await notes.find(dave, 'n1')).toBeUndefined();
    expect(await notes.find(dave, 'nope')).toBeUndefined();
  });

  it('allow lets others through only on a strict true, with the action of the call', async () => {
    const seen: string[] = [];
    const notes = ownedBy({
      load: (id: string) => db.get(id),
      owner: (note: Note) => note.ownerId,
      allow: (c) => {
        seen.push(c.action);
        return hasScope('admin')(c);
      },
    });
    expect((await notes.load(carol, 'n1', { action: 'notes:read' })).id).toBe('n1');
    expect(await notes.find(dave, 'n1')).toBeUndefined();
    expect(seen).toEqual(['notes:read', 'read']);
    const sloppy = ownedBy({
      load: (id: string) => db.get(id),
      owner: (n: Note) => n.ownerId,
      allow: (() => 'yes') as never,
    });
    expect(await sloppy.find(dave, 'n1')).toBeUndefined();
  });

  it('an owner that is empty or not a string matches nobody', async () => {
    const orphan = ownedBy({ load: () => ({ ownerId: '' }), owner: (r: { ownerId: unknown }) => r.ownerId });
    expect(await orphan.find(principalOf('', []), 'x')).toBeUndefined();
    const numeric = ownedBy({ load: () => ({ ownerId: 7 }), owner: (r: { ownerId: unknown }) => r.ownerId });
    expect(await numeric.find(principalOf('7', []), 'x')).toBeUndefined();
  });

  it("a loader's failure reaches the caller (a 500), never a 404 that hides it", async () => {
    const broken = ownedBy({ load: () => Promise.reject(new TypeError('db down')), owner: (n: Note) => n.ownerId });
    expect(await rejection(broken.load(alice, 'n1'))).toBeInstanceOf(TypeError);
  });

  it('checks its options once', () => {
    const owner = (n: Note) => n.ownerId;
    const load = (id: string) => db.get(id);
    expect(() => ownedBy({ owner } as never)).toThrow(/"load"/);
    expect(() => ownedBy({ load } as never)).toThrow(/"owner"/);
    expect(() => ownedBy({ load, owner, allow: 'admin' as never })).toThrow(/"allow"/);
    expect(() => ownedBy({ load, owner, resource: 'a\nb' })).toThrow(/"resource"/);
    expect(() => ownedBy({ load, owner, clock: {} as never })).toThrow(/"clock"/);
    expect(() => ownedBy({ load, owner, onwer: owner } as never)).toThrow(ConfigError);
  });

  it('for any owners and principals: the object comes back exactly when the subject owns it', async () => {
    const id = fc.constantFrom('u1', 'u2', 'u3', '');
    await fc.assert(
      fc.asyncProperty(fc.option(id, { nil: undefined }), id, async (ownerId, subject) => {
        const sink = recorder();
        const notes = ownedBy({
          load: () => (ownerId === undefined ? undefined : { id: 'n', ownerId, title: 't' }),
          owner: (n: Note) => n.ownerId,
          onEvent: sink.onEvent,
        });
        const found = await notes.find(principalOf(subject, []), 'n');
        const owns = ownerId !== undefined && ownerId !== '' && ownerId === subject;
        expect(found !== undefined).toBe(owns);
        // An event only for an object that exists and is someone else's.
        expect(sink.events.length).toBe(ownerId !== undefined && !owns ? 1 : 0);
      }),
    );
  });
});
