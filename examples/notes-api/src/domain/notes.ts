import { type DenyDecision, deny } from '@bulwark/core';
import { decodeCursor, encodeCursor } from '@bulwark/validation';

export interface Note {
  readonly id: string;
  readonly title: string;
  readonly body: string;
  readonly tags: readonly string[];
  readonly createdAt: string;
  /** Internal: never sent (the output schemas drop it). */
  readonly ownerId: string;
}

export interface User {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  /** Internal: never sent. */
  readonly passwordHash: string;
}

const SEEDED_USERS: readonly User[] = [
  { id: 'u1', email: 'alice@example.com', name: 'Alice', passwordHash: '$argon2id$v=19$demo-alice' },
  { id: 'u2', email: 'bob@example.com', name: 'Bob', passwordHash: '$argon2id$v=19$demo-bob' },
];

/** The demo's storage: in memory, bounded, shared by all four framework apps. */
export class NoteStore {
  readonly #notes = new Map<string, Note>();
  #next = 1;

  constructor(private readonly maxNotes = 10_000) {}

  /** Notes in creation order after `afterId`, at most `limit`. */
  page(limit: number, afterId: number): { notes: Note[]; more: boolean } {
    const notes: Note[] = [];
    for (const note of this.#notes.values()) {
      if (Number(note.id) <= afterId) continue;
      if (notes.length === limit) return { notes, more: true };
      notes.push(note);
    }
    return { notes, more: false };
  }

  get(id: string): Note | undefined {
    return this.#notes.get(id);
  }

  create(input: { title: string; body?: string | undefined; tags?: readonly string[] | undefined }, now: Date): Note {
    // Bounded like everything else in Bulwark: the oldest note makes room.
    if (this.#notes.size >= this.maxNotes) this.#notes.delete(this.#notes.keys().next().value as string);
    const note: Note = {
      id: String(this.#next++),
      title: input.title,
      body: input.body ?? '',
      tags: input.tags ?? [],
      createdAt: now.toISOString(),
      ownerId: 'demo-owner',
    };
    this.#notes.set(note.id, note);
    return note;
  }
}

/** A handler's answer, independent of the framework that sends it. */
export type Answer = { readonly status: number; readonly body: unknown } | DenyDecision;

/** The routes' logic, shared by every framework app. Inputs arrive validated. */
export function noteHandlers(store: NoteStore, clock: () => Date = () => new Date()) {
  let reportCount = 0;
  return {
    health: (): Answer => ({ status: 200, body: { status: 'ok' } }),
    list: (query: { limit: number; cursor?: string | undefined }, apiVersion: string | undefined): Answer => {
      const position = query.cursor === undefined ? { after: 0 } : decodeCursor(query.cursor);
      const after = (position as { after?: unknown } | undefined)?.after;
      if (typeof after !== 'number' || !Number.isSafeInteger(after))
        return deny('bad_request', 'The cursor is not one this API issued.');
      const { notes, more } = store.page(query.limit, after);
      const last = notes[notes.length - 1];
      return {
        status: 200,
        body: {
          ...(apiVersion ? { apiVersion } : {}),
          notes,
          ...(more && last ? { nextCursor: encodeCursor({ after: Number(last.id) }) } : {}),
        },
      };
    },
    get: (id: string): Answer => {
      const note = store.get(id);
      return note ? { status: 200, body: note } : deny('not_found', 'No note has this id.');
    },
    create: (input: { title: string; body?: string | undefined; tags?: string[] | undefined }): Answer => ({
      status: 201,
      body: store.create(input, clock()),
    }),
    createReport: (input: { kind: string }): Answer => ({
      status: 202,
      body: { id: `r${++reportCount}`, kind: input.kind, status: 'queued' },
    }),
    findUsers: (email: string): Answer => ({
      status: 200,
      body: { users: SEEDED_USERS.filter((u) => u.email === email.toLowerCase()) },
    }),
  };
}

export type NoteHandlers = ReturnType<typeof noteHandlers>;
