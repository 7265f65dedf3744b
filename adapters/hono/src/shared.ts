import {
  applyHeaders,
  type ClientIpResolver,
  type Decision,
  type HeaderSink,
  joinedRawField,
  type Principal,
  type RequestView,
  renderDecision,
  requestTargetPath,
} from '@bulwark/core';
import type { Context } from 'hono';

/** Reads the peer address from `@hono/node-server`'s IncomingMessage. */
export function nodePeerAddress(c: Context): string | undefined {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress;
}

/**
 * The raw request target, when Hono runs on `@hono/node-server` (its IncomingMessage at
 * `c.env.incoming`). Other runtimes hand Hono a parsed URL only.
 */
function nodeRequestTarget(c: Context): string | undefined {
  const env = c.env as { incoming?: { url?: unknown } } | undefined;
  const url = env?.incoming?.url;
  return typeof url === 'string' ? url : undefined;
}

type NodeHeaders = Readonly<Record<string, string | string[] | undefined>>;

/** The IncomingMessage's parsed headers, on `@hono/node-server`. */
function nodeIncomingHeaders(c: Context): NodeHeaders | undefined {
  const headers = (c.env as { incoming?: { headers?: unknown } } | undefined)?.incoming?.headers;
  return typeof headers === 'object' && headers !== null ? (headers as NodeHeaders) : undefined;
}

/**
 * A RequestView over a Hono context; a class so each request allocates little. The path is
 * `c.req.path`, the very path Hono's router matched (the node server builds the URL with
 * the WHATWG parser, which resolves `/./` and `/../` and `%2e` dot segments; Hono decodes
 * it). On the node server, the raw target is also checked with the rule the node bridge
 * applies (`requestTargetPath`), so that Hono refuses exactly the targets the other three
 * frameworks refuse; the node server itself already refuses most of them.
 */
class HonoRequestView implements RequestView {
  readonly method: string;
  readonly path: string;
  readonly targetRefused: boolean;
  readonly #c: Context;
  readonly #resolve: ClientIpResolver;
  readonly #getPeer: (c: Context) => string | undefined;
  readonly #context: { readonly principal: Principal | undefined } | undefined;
  readonly #nodeHeaders: NodeHeaders | undefined;
  readonly #rawHeaders: readonly string[] | undefined;
  #ip: string | undefined;
  #resolved = false;

  constructor(
    c: Context,
    resolve: ClientIpResolver,
    getPeer: (c: Context) => string | undefined,
    context: { readonly principal: Principal | undefined } | undefined,
  ) {
    this.method = c.req.method;
    this.path = c.req.path;
    const target = nodeRequestTarget(c);
    this.targetRefused = target !== undefined && requestTargetPath(target) === undefined;
    this.#c = c;
    this.#resolve = resolve;
    this.#getPeer = getPeer;
    this.#context = context;
    // A guard's view (it has a context) on @hono/node-server reads the IncomingMessage's
    // headers: reading `c.req.header()` makes the node server build the whole Web Request
    // and its Headers, the slow path a guard should not force. It is also what the node
    // bridge reads on the other three frameworks, so policies see the same values.
    // `validate()` keeps Web Headers, which join a repeated Content-Type.
    this.#nodeHeaders = context === undefined ? undefined : nodeIncomingHeaders(c);
    this.#rawHeaders =
      this.#nodeHeaders === undefined
        ? undefined
        : (c.env as { incoming: { rawHeaders?: string[] } }).incoming.rawHeaders;
  }

  /** The request context's principal: set by an authenticator earlier in this request. */
  get principal(): Principal | undefined {
    return this.#context?.principal;
  }

  header(name: string): string | undefined {
    const headers = this.#nodeHeaders;
    if (headers === undefined) return this.#c.req.header(name);
    const key = name.toLowerCase();
    const value = headers[key];
    const text = Array.isArray(value) ? value.join(', ') : value;
    // Node keeps only the first of repeated Authorization fields (Web Headers join them): as the node bridge does.
    if (key === 'authorization' && text !== undefined) return joinedRawField(this.#rawHeaders ?? [], key) ?? text;
    return text;
  }

  get clientIp(): string | undefined {
    if (!this.#resolved) {
      this.#ip = this.#resolve(this.#getPeer(this.#c), (name) => this.header(name));
      this.#resolved = true;
    }
    return this.#ip;
  }
}

/** A RequestView over a Hono context. Without a resolver the client IP is unknown. */
export function honoView(
  c: Context,
  resolve: ClientIpResolver = () => undefined,
  getPeer: (c: Context) => string | undefined = nodePeerAddress,
  context?: { readonly principal: Principal | undefined },
): RequestView {
  return new HonoRequestView(c, resolve, getPeer, context);
}

/**
 * The fields of a decision's Response in the order the other adapters write them (a Web
 * `Headers` iterates sorted by name): kept on the Response for `nodeServerFetch`, which
 * writes body-less answers itself.
 */
export const ORDERED_FIELDS = Symbol.for('bulwark.orderedFields');

/** The ordered fields a Response built by {@link decisionResponse} carries, if any. */
export function orderedFields(response: Response): Readonly<Record<string, string>> | undefined {
  return (response as Response & { [ORDERED_FIELDS]?: Record<string, string> })[ORDERED_FIELDS];
}

/** A HeaderSink over a plain record, whose keys keep the order they were set in. */
function recordSink(record: Record<string, string>): HeaderSink {
  return {
    get: (name) => record[name],
    set: (name, value) => {
      record[name] = value;
    },
    remove: (name) => {
      delete record[name];
    },
  };
}

/**
 * A web Response for a deny or respond decision. Its fields are a plain record in the
 * decision's order (`WWW-Authenticate` or `Retry-After` before `Content-Type`, as the Node
 * adapters write them): @hono/node-server writes a string-body Response's record as it
 * is, where a `Headers` would go out sorted by name.
 */
export function decisionResponse(decision: Exclude<Decision, { kind: 'allow' }>, method: string): Response {
  const answer = renderDecision(decision, method);
  const record: Record<string, string> = {};
  applyHeaders(recordSink(record), answer.headers);
  const response = new Response(answer.body ?? null, { status: answer.status, headers: record });
  (response as Response & { [ORDERED_FIELDS]?: Record<string, string> })[ORDERED_FIELDS] = record;
  return response;
}
