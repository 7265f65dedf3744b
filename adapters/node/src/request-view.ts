import type { IncomingMessage } from 'node:http';
import type { ClientIpResolver, RequestView } from '@bulwark/core';
import { clientIpResolver } from '@bulwark/core';

const trustNoProxy = clientIpResolver();

/** The path of a request target: origin-form (`/a?b`) or absolute-form (`http://h/a?b`). */
export function pathOf(url: string | undefined): string {
  if (url === undefined || url === '') return '/';
  if (url.charCodeAt(0) === 0x2f) {
    const q = url.indexOf('?');
    return q === -1 ? url : url.slice(0, q);
  }
  try {
    return new URL(url).pathname;
  } catch {
    return '/';
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
  const headers = req.headers;
  const header = (name: string): string | undefined => {
    const value = headers[name.toLowerCase()];
    return Array.isArray(value) ? value.join(', ') : value;
  };
  const resolve = options.resolveClientIp ?? trustNoProxy;
  let ip: string | undefined;
  let resolved = false;
  return {
    method: req.method ?? 'GET',
    path: pathOf(options.url ?? req.url),
    header,
    get clientIp() {
      if (!resolved) {
        ip = resolve(req.socket?.remoteAddress, header);
        resolved = true;
      }
      return ip;
    },
  };
}
