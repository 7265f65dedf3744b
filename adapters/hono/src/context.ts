import { type ClientIpResolver, type HeaderSink, mergeVary, RequestContext, type RequestView } from '@bulwark/core';
import type { Context } from 'hono';

/** The parts of a Node `ServerResponse` the fast path uses (`@hono/node-server` puts it at `c.env.outgoing`). */
interface NodeOutgoing {
  getHeader(name: string): number | string | string[] | undefined;
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
  return outgoing !== undefined && typeof outgoing.setHeader === 'function' && typeof outgoing.writeHead === 'function'
    ? (outgoing as NodeOutgoing)
    : undefined;
}

function text(value: number | string | string[] | undefined): string | undefined {
  return value === undefined ? undefined : Array.isArray(value) ? value.join(', ') : String(value);
}

const ORIGINAL_WRITE_HEAD = Symbol.for('bulwark.originalWriteHead');

/**
 * The list-valued fields our guards add to rather than replace (core's `applyHeaders`):
 * `link`, and the rate-limit fields, which a second rate-limit guard (per principal, after
 * a per-client one) extends with its own limits, its refusal included.
 */
const LISTS = ['link', 'ratelimit', 'ratelimit-policy'] as const;
const isList = (name: string) => (LISTS as readonly string[]).includes(name);

type MergingOutgoing = NodeOutgoing & { [ORIGINAL_WRITE_HEAD]?: NodeOutgoing['writeHead'] };

/** `writeHead` for a response on which we set `Vary` or a list field: see {@link mergeOnWriteHead}. */
function mergingWriteHead(this: MergingOutgoing, ...args: unknown[]): unknown {
  const headers = args[args.length - 1];
  if (typeof headers === 'object' && headers !== null && !Array.isArray(headers)) {
    const record = headers as Record<string, unknown>;
    if (typeof record.vary === 'string') {
      const vary = text(this.getHeader('vary'));
      if (vary !== undefined) record.vary = mergeVary(vary, record.vary);
    }
    for (const name of LISTS) {
      if (typeof record[name] !== 'string') continue;
      const ours = text(this.getHeader(name));
      if (ours !== undefined) record[name] = `${ours}, ${record[name]}`;
    }
  }
  return (this[ORIGINAL_WRITE_HEAD] as NodeOutgoing['writeHead']).apply(this, args);
}

/**
 * `@hono/node-server` writes a Response with `writeHead(status, headers)`, whose headers
 * replace those set before: a handler's `Vary` would drop ours. For a request on which we
 * set `Vary` or `Link`, writeHead merges them instead (ours first, as on the Node
 * frameworks, where our guard's headers are set before the handler's). One shared
 * function, no closure per request.
 */
function mergeOnWriteHead(outgoing: NodeOutgoing): void {
  const target = outgoing as MergingOutgoing;
  if (target[ORIGINAL_WRITE_HEAD] !== undefined) return;
  target[ORIGINAL_WRITE_HEAD] = target.writeHead;
  target.writeHead = mergingWriteHead;
}

class OutgoingHeaders implements ResponseHeaders, HeaderSink {
  readonly deferred = false;
  readonly #outgoing: NodeOutgoing;

  constructor(outgoing: NodeOutgoing) {
    this.#outgoing = outgoing;
  }

  get sink(): HeaderSink {
    return this;
  }

  get(name: string): string | undefined {
    return text(this.#outgoing.getHeader(name));
  }

  set(name: string, value: string): void {
    if (name === 'vary' || isList(name)) mergeOnWriteHead(this.#outgoing);
    this.#outgoing.setHeader(name, value);
  }

  remove(name: string): void {
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
      else if (isList(name)) target.set(name, `${value}, ${existing}`);
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
