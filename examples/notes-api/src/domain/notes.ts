import { randomUUID } from 'node:crypto';
import { ownedBy } from '@bulwark/authz';
import { type DenyDecision, deny, type EventSink, type Principal, type RespondDecision } from '@bulwark/core';
import { decodeCursor, encodeCursor } from '@bulwark/validation';

export interface Note {
  /** A random UUID: ids say nothing about other users' notes. */
  readonly id: string;
  readonly title: string;
  readonly body: string;
  readonly tags: readonly string[];
  readonly createdAt: string;
  /** Internal: the owner's user id, never sent (the output schemas drop it). */
  readonly ownerId: string;
  /** Internal: creation order, for cursors. */
  readonly seq: number;
}

export interface NoteInput {
  readonly title: string;
  readonly body?: string | undefined;
  readonly tags?: readonly string[] | undefined;
}

/** The demo's storage: in memory, bounded, shared by all four framework apps. */
export class NoteStore {
  readonly #notes = new Map<string, Note>();
  #next = 1;

  constructor(private readonly maxNotes = 10_000) {}

  /** The owner's notes in creation order after position `afterSeq`, at most `limit`. */
  page(ownerId: string, limit: number, afterSeq: number): { notes: Note[]; more: boolean } {
    const notes: Note[] = [];
    for (const note of this.#notes.values()) {
      if (note.ownerId !== ownerId || note.seq <= afterSeq) continue;
      if (notes.length === limit) return { notes, more: true };
      notes.push(note);
    }
    return { notes, more: false };
  }

  /** The note with this id, whoever owns it (the handlers load notes through `ownedBy`). */
  byId(id: string): Note | undefined {
    return this.#notes.get(id);
  }

  create(ownerId: string, input: NoteInput, now: Date): Note {
    // Bounded like everything else in Bulwark: the oldest note makes room.
    if (this.#notes.size >= this.maxNotes) this.#notes.delete(this.#notes.keys().next().value as string);
    const note: Note = {
      id: randomUUID(),
      title: input.title,
      body: input.body ?? '',
      tags: input.tags ?? [],
      createdAt: now.toISOString(),
      ownerId,
      seq: this.#next++,
    };
    this.#notes.set(note.id, note);
    return note;
  }

  update(note: Note, change: Partial<NoteInput>): Note {
    const updated: Note = {
      ...note,
      ...(change.title === undefined ? {} : { title: change.title }),
      ...(change.body === undefined ? {} : { body: change.body }),
      ...(change.tags === undefined ? {} : { tags: change.tags }),
    };
    this.#notes.set(note.id, updated);
    return updated;
  }

  delete(note: Note): void {
    this.#notes.delete(note.id);
  }
}

/**
 * A handler's answer, independent of the framework that sends it: a JSON body (through the
 * route's output schema), a problem, or a complete answer made elsewhere (an HTML page, an
 * OAuth library's 303 or token answer), sent as is by each app's `sendDecision`.
 */
export type Answer = { readonly status: number; readonly body?: unknown } | DenyDecision | RespondDecision;

/** The cursor of the page after `seq`, and the position a cursor names (undefined: not one we issued). */
export function cursorAfter(seq: number): string {
  return encodeCursor({ after: seq });
}

export function positionOf(cursor: string | undefined): number | undefined {
  if (cursor === undefined) return 0;
  const after = (decodeCursor(cursor) as { after?: unknown } | undefined)?.after;
  return typeof after === 'number' && Number.isSafeInteger(after) && after >= 0 ? after : undefined;
}

/** A cursor to the items before sequence number `seq` (the event log pages backwards, newest first). */
export function cursorBefore(seq: number): string {
  return encodeCursor({ before: seq });
}

/** The `before` of a cursor from {@link cursorBefore}; `null` without a cursor (from the newest), `undefined` for a bad one. */
export function positionBefore(cursor: string | undefined): number | null | undefined {
  if (cursor === undefined) return null;
  const before = (decodeCursor(cursor) as { before?: unknown } | undefined)?.before;
  return typeof before === 'number' && Number.isSafeInteger(before) && before >= 1 ? before : undefined;
}

export const BAD_CURSOR = (): DenyDecision => deny('bad_request', 'The cursor is not one this API issued.');
/** One answer for a missing note and another user's: which ids exist is nobody else's business. */
export const NO_NOTE = (): DenyDecision => deny('not_found', 'No note has this id.');

/** The notes routes' logic, shared by every framework app. Inputs arrive validated; `owner` is the caller. */
export function noteHandlers(store: NoteStore, clock: () => Date = () => new Date(), onEvent?: EventSink) {
  // Object level (OWASP API1): a note is loaded for its caller; another user's note is
  // answered as a missing one (one 404, no enumeration) and reported as `authz.denied`.
  const notes = ownedBy({
    load: (id: string) => store.byId(id),
    owner: (note) => note.ownerId,
    resource: 'note',
    onEvent,
  });
  const where = (method: string) => ({ where: { method, path: '/v2/notes/:id' } });
  return {
    list: (owner: string, query: { limit: number; cursor?: string | undefined }, apiVersion?: string): Answer => {
      const after = positionOf(query.cursor);
      if (after === undefined) return BAD_CURSOR();
      const { notes, more } = store.page(owner, query.limit, after);
      const last = notes[notes.length - 1];
      return {
        status: 200,
        body: {
          ...(apiVersion ? { apiVersion } : {}),
          notes,
          ...(more && last ? { nextCursor: cursorAfter(last.seq) } : {}),
        },
      };
    },
    get: async (caller: Principal, id: string): Promise<Answer> => {
      const note = await notes.find(caller, id, { action: 'read', ...where('GET') });
      return note ? { status: 200, body: note } : NO_NOTE();
    },
    create: (owner: string, input: NoteInput): Answer => ({ status: 201, body: store.create(owner, input, clock()) }),
    update: async (caller: Principal, id: string, change: Partial<NoteInput>): Promise<Answer> => {
      const note = await notes.find(caller, id, { action: 'update', ...where('PATCH') });
      return note ? { status: 200, body: store.update(note, change) } : NO_NOTE();
    },
    remove: async (caller: Principal, id: string): Promise<Answer> => {
      const note = await notes.find(caller, id, { action: 'delete', ...where('DELETE') });
      if (!note) return NO_NOTE();
      store.delete(note);
      return { status: 204 };
    },
    createReport: (input: { kind: string }): Answer => ({
      status: 202,
      // A random id, as a note's: a sequence would tell every caller how many reports all users asked for.
      body: { id: randomUUID(), kind: input.kind, status: 'queued' },
    }),
  };
}

export type NoteHandlers = ReturnType<typeof noteHandlers>;
