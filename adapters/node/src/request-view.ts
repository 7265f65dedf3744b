import type { IncomingMessage } from 'node:http';
import type { ClientIpResolver, RequestView } from '@bulwark/core';
import { clientIpResolver } from '@bulwark/core';

const trustNoProxy = clientIpResolver();

/**
 * The path of a request target: origin-form (`/a?b`) or absolute-form (`http://h/a?b`).
 * It ends at the first `?` or `#`. A `#` has no place in a request target, but Node's
 * parser lets it through and Express, Koa and Fastify route `/v2/reports#x` as
 * `/v2/reports`: a path that kept the `#x` would escape every rule scoped to that route.
 */
export function pathOf(url: string | undefined): string {
  if (url === undefined || url === '') return '/';
  if (url.charCodeAt(0) === 0x2f) {
    for (let i = 1; i < url.length; i++) {
      const c = url.charCodeAt(i);
      if (c === 0x3f || c === 0x23) return url.slice(0, i);
    }
    return url;
  }
  try {
    return new URL(url).pathname;
  } catch {
    return '/';
  }
}

/**
 * A RequestView over a Node request. A class, not an object literal with closures: one
 * is built per request and per middleware, and prototype methods and getters keep that
 * allocation small and monomorphic.
 */
class NodeRequestView implements RequestView {
  readonly method: string;
  readonly path: string;
  readonly #req: IncomingMessage;
  readonly #resolve: ClientIpResolver;
  #ip: string | undefined;
  #resolved = false;

  constructor(req: IncomingMessage, url: string | undefined, resolve: ClientIpResolver) {
    this.method = req.method ?? 'GET';
    this.path = pathOf(url);
    this.#req = req;
    this.#resolve = resolve;
  }

  header(name: string): string | undefined {
    const value = this.#req.headers[name.toLowerCase()];
    return Array.isArray(value) ? value.join(', ') : value;
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
  options: { url?: string | undefined; resolveClientIp?: ClientIpResolver | undefined } = {},
): RequestView {
  return new NodeRequestView(req, options.url ?? req.url, options.resolveClientIp ?? trustNoProxy);
}
