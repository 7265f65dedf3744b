import {
  type ClientIpResolver,
  type HeaderSink,
  isListField,
  mergeVary,
  RequestContext,
  type RequestView,
} from '@bulwark/core';
import type { Context } from 'hono';

/** The parts of a Node `ServerResponse` the fast path uses (`@hono/node-server` puts it at `c.env.outgoing`). */
interface NodeOutgoing {
  readonly headersSent: boolean;
  getHeader(name: string): number | string | string[] | undefined;
  getHeaderNames(): string[];
  getRawHeaderNames(): string[];
  setHeader(name: string, value: string): unknown;
  removeHeader(name: string): void;
  writeHead(...args: unknown[]): unknown;
}

/** Where a request's allow headers go, and how they reach the answer. */
export interface ResponseHeaders {
  readonly sink: HeaderSink;
  /** True when the headers must be added to `c.res` after the handler (no Node response to write to). */
  readonly deferred: boolean;
  /** Adds the headers to the final response (deferred mode only). */
  finish(c: Context): void;
  /** The refusal to send, with the headers collected so far. */
  refusal(response: Response): Response;
}

const SLOT = Symbol.for('bulwark.requestContext');

/** The request context of one Hono request, with its view and where its headers go. */
export interface GuardSlot {
  readonly context: RequestContext;
  readonly view: RequestView;
  headers(c: Context): ResponseHeaders;
}

function nodeOutgoing(c: Context): NodeOutgoing | undefined {
  const outgoing = (c.env as { outgoing?: Partial<NodeOutgoing> } | undefined)?.outgoing;
  return outgoing !== undefined &&
    typeof outgoing.getHeaderNames === 'function' &&
    typeof outgoing.writeHead === 'function'
    ? (outgoing as NodeOutgoing)
    : undefined;
}

function text(value: number | string | string[] | undefined): string | undefined {
  return value === undefined ? undefined : Array.isArray(value) ? value.join(', ') : String(value);
}

/** Where the fields of a patched response wait for its `writeHead`. */
const PENDING_FIELDS = Symbol.for('bulwark.pendingFields');
const ORIGINAL_WRITE_HEAD = Symbol.for('bulwark.originalWriteHead');

type PatchedOutgoing = NodeOutgoing & {
  [PENDING_FIELDS]?: OutgoingHeaders | undefined;
  [ORIGINAL_WRITE_HEAD]?: NodeOutgoing['writeHead'];
};

/** A field value as Node takes it (a repeated field such as `set-cookie` is an array). */
type FieldValue = number | string | readonly string[];

/** One of the answer's own fields: its name as spelled, lower-cased once, and whether one of ours took it. */
interface AnswerField {
  readonly name: string;
  readonly key: string;
  value: FieldValue;
  taken: boolean;
}

/** The answer's own fields, from the response's stored headers and from `writeHead`'s argument, in order. */
function answerFields(outgoing: NodeOutgoing, headers: unknown): AnswerField[] {
  const fields: AnswerField[] = [];
  const stored = outgoing.getHeaderNames();
  if (stored.length > 0) {
    // Set on the response before writeHead (nodeServerFetch, a handler writing to it):
    // taken off it, so the one list below is all Node writes, in our order.
    const raw = outgoing.getRawHeaderNames();
    for (let i = 0; i < stored.length; i++) {
      const key = stored[i] as string;
      const value = outgoing.getHeader(key);
      if (value !== undefined) fields.push({ name: raw[i] ?? key, key, value, taken: false });
    }
    for (const name of stored) outgoing.removeHeader(name);
  }
  if (Array.isArray(headers)) {
    const pairs = headers.length > 0 && Array.isArray(headers[0]);
    if (pairs) for (const [name, value] of headers as [string, FieldValue][]) putField(fields, name, value);
    else for (let i = 0; i + 1 < headers.length; i += 2) putField(fields, headers[i] as string, headers[i + 1]);
  } else if (typeof headers === 'object' && headers !== null) {
    const record = headers as Record<string, FieldValue | undefined>;
    for (const name in record) {
      const value = record[name];
      if (value !== undefined) putField(fields, name, value);
    }
  }
  return fields;
}

/** `writeHead`'s fields replace the stored ones of the same name (as Node's own writeHead does). */
function putField(fields: AnswerField[], name: string, value: FieldValue): void {
  const key = name.toLowerCase();
  for (const field of fields) {
    if (field.key === key) {
      field.value = value;
      return;
    }
  }
  fields.push({ name, key, value, taken: false });
}

/**
 * Our fields first, in the order the policies set them, then the answer's own. A field the
 * answer also has keeps our position: `Vary` merges (ours first), a list field (`Link`,
 * `RateLimit`, `RateLimit-Policy`: a second rate limit's refusal) appends the answer's
 * items to ours, any other name takes the answer's value: as on the Node frameworks, where
 * our guard sets its fields before the handler or the refusal sets theirs.
 */
function mergedFields(ours: readonly string[], theirs: AnswerField[]): unknown[] {
  const out: unknown[] = [];
  for (let i = 0; i < ours.length; i += 2) {
    const name = ours[i] as string;
    // The name as last set, as Node's setHeader keeps it: the answer's spelling when it has the field.
    let spelled = name;
    let value: FieldValue = ours[i + 1] as string;
    for (let j = 0; j < theirs.length; j++) {
      const field = theirs[j] as AnswerField;
      if (field.key !== name) continue;
      field.taken = true;
      spelled = field.name;
      const other = field.value;
      if (name === 'vary') value = mergeVary(value as string, text(other as string | string[]) ?? '');
      else if (isListField(name)) value = `${value as string}, ${text(other as string | string[])}`;
      else value = other;
    }
    out.push(spelled, value);
  }
  for (let j = 0; j < theirs.length; j++) {
    const field = theirs[j] as AnswerField;
    if (!field.taken) out.push(field.name, field.value);
  }
  return out;
}

/**
 * `writeHead` for a response that carries our fields: writes ours and the answer's as one
 * flat list (`writeHead(status, [name, value, ...])`). Node then validates and serialises
 * each field once; setting ours on the response first would also store each in its
 * dictionary of outgoing headers, lower-case its name, and, with the answer's own fields
 * passed to writeHead, set those one by one too (about 0.8 µs a request for the twelve
 * fields of the HTTP benchmark). One shared function, no closure per request.
 */
function fieldsOnWriteHead(this: PatchedOutgoing, ...args: unknown[]): unknown {
  const original = this[ORIGINAL_WRITE_HEAD] as NodeOutgoing['writeHead'];
  const pending = this[PENDING_FIELDS];
  this[PENDING_FIELDS] = undefined;
  if (pending === undefined || this.headersSent) return original.apply(this, args);
  const status = args[0];
  const message = typeof args[1] === 'string' ? args[1] : undefined;
  const headers = args[message === undefined ? 1 : 2];
  const fields = mergedFields(pending.fields, answerFields(this, headers));
  return message === undefined ? original.call(this, status, fields) : original.call(this, status, message, fields);
}

function patchWriteHead(outgoing: NodeOutgoing, fields: OutgoingHeaders): void {
  const target = outgoing as PatchedOutgoing;
  target[PENDING_FIELDS] = fields;
  if (target[ORIGINAL_WRITE_HEAD] !== undefined) return;
  target[ORIGINAL_WRITE_HEAD] = target.writeHead;
  target.writeHead = fieldsOnWriteHead;
}

/**
 * On @hono/node-server: our fields for one Node response, kept here (a flat name, value
 * list with lower-case names, each once) and written by its `writeHead`, whoever calls it
 * (the node server's answer, an error, an implicit header on `end()`).
 */
class OutgoingHeaders implements ResponseHeaders, HeaderSink {
  readonly deferred = false;
  /** name, value, name, value...: at most a dozen, so a scan beats a Map. */
  readonly fields: string[] = [];
  readonly #outgoing: NodeOutgoing;

  constructor(outgoing: NodeOutgoing) {
    this.#outgoing = outgoing;
    patchWriteHead(outgoing, this);
  }

  get sink(): HeaderSink {
    return this;
  }

  #indexOf(name: string): number {
    const fields = this.fields;
    for (let i = 0; i < fields.length; i += 2) if (fields[i] === name) return i;
    return -1;
  }

  get(name: string): string | undefined {
    const at = this.#indexOf(name);
    return at < 0 ? text(this.#outgoing.getHeader(name)) : this.fields[at + 1];
  }

  set(name: string, value: string): void {
    const at = this.#indexOf(name);
    if (at < 0) this.fields.push(name, value);
    else this.fields[at + 1] = value;
  }

  remove(name: string): void {
    const at = this.#indexOf(name);
    if (at >= 0) this.fields.splice(at, 2);
    this.#outgoing.removeHeader(name);
  }

  finish(): void {}

  refusal(response: Response): Response {
    return response;
  }
}

/** Off Node: the allow headers are collected, then added to the final Response. */
class DeferredHeaders implements ResponseHeaders, HeaderSink {
  readonly deferred = true;
  readonly #headers = new Map<string, string>();
  #removed: string[] | undefined;

  get sink(): HeaderSink {
    return this;
  }

  get(name: string): string | undefined {
    return this.#headers.get(name);
  }

  set(name: string, value: string): void {
    this.#headers.set(name, value);
  }

  remove(name: string): void {
    this.#headers.delete(name);
    if (this.#removed === undefined) this.#removed = [];
    this.#removed.push(name);
  }

  #apply(target: Headers): void {
    for (const [name, value] of this.#headers) {
      const existing = target.get(name);
      if (existing === null) target.set(name, value);
      else if (name === 'vary') target.set(name, mergeVary(value, existing));
      else if (isListField(name)) target.set(name, `${value}, ${existing}`);
      // Any other header the answer already has is its own (the handler's, or the
      // refusal's): it wins, as on the Node frameworks.
    }
    if (this.#removed !== undefined) for (const name of this.#removed) target.delete(name);
  }

  finish(c: Context): void {
    if (this.#headers.size === 0 && this.#removed === undefined) return;
    try {
      this.#apply(c.res.headers);
    } catch {
      // Responses from fetch() have immutable headers: copy once, then apply.
      c.res = new Response(c.res.body, c.res);
      this.#apply(c.res.headers);
    }
  }

  refusal(response: Response): Response {
    this.#apply(response.headers);
    return response;
  }
}

class HonoGuardSlot implements GuardSlot {
  readonly context = new RequestContext();
  readonly view: RequestView;
  readonly resolve: ClientIpResolver;
  readonly getPeer: unknown;
  #outgoing: OutgoingHeaders | undefined;

  constructor(resolve: ClientIpResolver, getPeer: unknown, makeView: (context: RequestContext) => RequestView) {
    this.resolve = resolve;
    this.getPeer = getPeer;
    this.view = makeView(this.context);
  }

  headers(c: Context): ResponseHeaders {
    if (this.#outgoing !== undefined) return this.#outgoing;
    const outgoing = nodeOutgoing(c);
    if (outgoing === undefined) return new DeferredHeaders();
    this.#outgoing = new OutgoingHeaders(outgoing);
    return this.#outgoing;
  }
}

/**
 * The one context of a Hono request (view, merged state, principal), created by the first
 * guard and reused by every later guard of the request: kept on the Hono `Context`. A
 * guard whose client-IP settings (resolver or peer-address reader) differ gets its own
 * view over the same context.
 */
export function guardSlot(
  c: Context,
  resolve: ClientIpResolver,
  getPeer: unknown,
  makeView: (context: RequestContext) => RequestView,
): GuardSlot {
  const holder = c as Context & { [SLOT]?: HonoGuardSlot };
  const existing = holder[SLOT];
  if (existing === undefined) {
    const slot = new HonoGuardSlot(resolve, getPeer, makeView);
    holder[SLOT] = slot;
    return slot;
  }
  if (existing.resolve === resolve && existing.getPeer === getPeer) return existing;
  const view = makeView(existing.context);
  return { context: existing.context, view, headers: (ctx) => existing.headers(ctx) };
}
