import { type DenyDecision, deny } from '@bulwark/core';

export interface Note {
  readonly id: string;
  readonly title: string;
  readonly body: string;
  readonly tags: readonly string[];
  readonly createdAt: string;
}

/** The demo's storage: in memory, bounded, shared by all four framework apps. */
export class NoteStore {
  readonly #notes = new Map<string, Note>();
  #next = 1;

  constructor(private readonly maxNotes = 10_000) {}

  list(): Note[] {
    return [...this.#notes.values()];
  }

  get(id: string): Note | undefined {
    return this.#notes.get(id);
  }

  create(input: { title: string; body: string; tags: readonly string[] }, now: Date): Note {
    // Bounded like everything else in Bulwark: the oldest note makes room.
    if (this.#notes.size >= this.maxNotes) this.#notes.delete(this.#notes.keys().next().value as string);
    const note: Note = { id: String(this.#next++), ...input, createdAt: now.toISOString() };
    this.#notes.set(note.id, note);
    return note;
  }
}

/** A handler's answer, independent of the framework that sends it. */
export type Answer = { readonly status: number; readonly body: unknown } | DenyDecision;

const isJson = (contentType: string | undefined) =>
  contentType !== undefined && /^application\/json\s*(;|$)/i.test(contentType.trim());

/**
 * Parses and checks a note from a raw body. Interim hand-written checks: the validation
 * issue replaces them with `@bulwark/validation` (zod, strict schemas, JSON pointers).
 */
export function parseNoteInput(
  contentType: string | undefined,
  raw: string,
): { title: string; body: string; tags: string[] } | DenyDecision {
  if (!isJson(contentType)) {
    return deny('unsupported_media_type', 'This endpoint accepts application/json.', {
      extensions: { accepted: ['application/json'] },
    });
  }
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return deny('bad_request', 'The body is not valid JSON.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return deny('validation_failed', 'The body must be a JSON object.', {
      extensions: { errors: [{ pointer: '', detail: 'Expected an object.' }] },
    });
  }
  const input = value as Record<string, unknown>;
  const errors: Array<{ pointer: string; detail: string }> = [];
  for (const key of Object.keys(input)) {
    if (!['title', 'body', 'tags'].includes(key))
      errors.push({ pointer: `/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`, detail: 'Unknown field.' });
  }
  const { title, body = '', tags = [] } = input;
  if (typeof title !== 'string' || title.length < 1 || title.length > 200)
    errors.push({ pointer: '/title', detail: 'Expected a string of 1 to 200 characters.' });
  if (typeof body !== 'string' || body.length > 10_000)
    errors.push({ pointer: '/body', detail: 'Expected a string of at most 10000 characters.' });
  if (!Array.isArray(tags) || tags.length > 10 || tags.some((t) => typeof t !== 'string' || t.length > 32)) {
    errors.push({ pointer: '/tags', detail: 'Expected at most 10 strings of at most 32 characters.' });
  }
  if (errors.length > 0) return deny('validation_failed', 'The note is not valid.', { extensions: { errors } });
  return { title: title as string, body: body as string, tags: tags as string[] };
}

/** The routes' logic, shared by every framework app. */
export function noteHandlers(store: NoteStore, clock: () => Date = () => new Date()) {
  return {
    health: (): Answer => ({ status: 200, body: { status: 'ok' } }),
    list: (apiVersion: string | undefined): Answer => ({ status: 200, body: { apiVersion, notes: store.list() } }),
    get: (id: string): Answer => {
      const note = store.get(id);
      return note ? { status: 200, body: note } : deny('not_found', 'No note has this id.');
    },
    create: (contentType: string | undefined, raw: string): Answer => {
      const input = parseNoteInput(contentType, raw);
      if ('kind' in input) return input;
      return { status: 201, body: store.create(input, clock()) };
    },
  };
}

export type NoteHandlers = ReturnType<typeof noteHandlers>;

/** The limit the demo puts on JSON bodies. */
export const BODY_LIMIT_BYTES = 100 * 1024;
