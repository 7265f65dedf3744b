import type { IncomingMessage } from 'node:http';
import type { ClientIpResolver, Principal, RequestView } from '@bulwark/core';
import { clientIpResolver, joinedRawField, requestTargetPath } from '@bulwark/core';

const trustNoProxy = clientIpResolver();

/**
 * The path policies see for a request target, or `undefined` when the target is refused
 * (the guards then answer 400). Origin-form `/a?b` and plain absolute-form `http://h/a?b`
 * are accepted; the path ends at the first `?` or `#` (a `#` has no place in a request
 * target, but Node's parser lets it through and Express, Koa and Fastify route
 * `/v2/reports#x` as `/v2/reports`). Targets on which the routers disagree
 * (`http://x:99999/v2/reports`, `http://x@/v2/reports`, `/v2\reports#x`, `*`) are refused:
 * see `requestTargetPath` in @bulwark/core for the rule and the reasons. A missing URL
 * (a request not built by a Node server) reads as `/`.
 *
 * @example
 * ```ts
 * pathOf('/v2/reports?x=1')          // '/v2/reports'
 * pathOf('http://x:99999/v2/reports') // undefined
 * ```
 */
export function pathOf(url: string | undefined): string | undefined {
  return url === undefined ? '/' : requestTargetPath(url);
}

/** What a view reads its principal from: the request's `RequestContext`. */
interface PrincipalHolder {
  readonly principal: Principal | undefined;
}

/**
 * A RequestView over a Node request. A class, not an object literal with closures: one
 * is built per request and per middleware, and prototype methods and getters keep that
 * allocation small and monomorphic.
 */
class NodeRequestView implements RequestView {
  readonly method: string;
  readonly path: string;
  readonly targetRefused: boolean;
  readonly #req: IncomingMessage;
  readonly #resolve: ClientIpResolver;
  readonly #context: PrincipalHolder | undefined;
  /** `req.headers`, read once: a getter on every request object, and on Express each `req` has a map of its own (see NodeHeaderSink). */
  #headers: IncomingMessage['headers'] | undefined;
  #ip: string | undefined;
  #resolved = false;

  constructor(
    req: IncomingMessage,
    url: string | undefined,
    resolve: ClientIpResolver,
    context: PrincipalHolder | undefined,
  ) {
    this.method = req.method ?? 'GET';
    const path = pathOf(url);
    // A refused target still needs a path for the policies that run on it (their allow
    // headers go on the 400): `/`, under which every path-scoped rule but a catch-all misses.
    this.path = path ?? '/';
    this.targetRefused = path === undefined;
    this.#req = req;
    this.#resolve = resolve;
    this.#context = context;
  }

  /** The request context's principal: set by an authenticator earlier in this request. */
  get principal(): Principal | undefined {
    return this.#context?.principal;
  }

  header(name: string): string | undefined {
    const key = name.toLowerCase();
    this.#headers ??= this.#req.headers;
    const value = this.#headers[key];
    // Node keeps only the first of repeated Authorization fields: read them all from the
    // raw lines (only when there is one at all), so two fields are refused as on Hono.
    const text = Array.isArray(value) ? value.join(', ') : value;
    if (key === 'authorization' && text !== undefined) return joinedRawField(this.#req.rawHeaders ?? [], key) ?? text;
    return text;
  }

  get clientIp(): string | undefined {
    if (!this.#resolved) {
      this.#ip = this.#resolve(this.#req.socket?.remoteAddress, (name) => this.header(name));
      this.#resolved = true;
    }
    return this.#ip;
  }
}

/**
 * Builds a RequestView from a Node request. `url` overrides `req.url` (Express rewrites
 * `req.url` under a mount path; pass `req.originalUrl`). The client IP is resolved lazily,
 * only if a primitive asks for it.
 *
 * @example
 * ```ts
 * const view = nodeRequestView(req, { resolveClientIp: clientIpResolver({ trustProxy: { hops: 1 } }) });
 * ```
 */
export function nodeRequestView(
  req: IncomingMessage,
  options: {
    url?: string | undefined;
    resolveClientIp?: ClientIpResolver | undefined;
    /** The request context whose principal the view exposes (see `nodeRequestContext`). */
    context?: PrincipalHolder | undefined;
  } = {},
): RequestView {
  return new NodeRequestView(req, options.url ?? req.url, options.resolveClientIp ?? trustNoProxy, options.context);
}
