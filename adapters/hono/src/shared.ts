import {
  applyHeaders,
  type ClientIpResolver,
  type Decision,
  type HeaderSink,
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
  }

  /** The request context's principal: set by an authenticator earlier in this request. */
  get principal(): Principal | undefined {
    return this.#context?.principal;
  }

  header(name: string): string | undefined {
    return this.#c.req.header(name);
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

/** A HeaderSink over Web Headers. */
export function webSink(headers: Headers): HeaderSink {
  return {
    get: (name) => headers.get(name) ?? undefined,
    set: (name, value) => headers.set(name, value),
    remove: (name) => headers.delete(name),
  };
}

/** A web Response for a deny or respond decision. */
export function decisionResponse(decision: Exclude<Decision, { kind: 'allow' }>, method: string): Response {
  const answer = renderDecision(decision, method);
  const headers = new Headers();
  applyHeaders(webSink(headers), answer.headers);
  return new Response(answer.body ?? null, { status: answer.status, headers });
}
