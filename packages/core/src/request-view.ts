import type { Principal } from './principal.js';

/**
 * The plain data a primitive needs about a request. Adapters build it; primitives never
 * see a framework object.
 */
export interface RequestView {
  /** Upper-case method as sent (`GET`, `OPTIONS`, ...). */
  readonly method: string;
  /** The path without the query string, as received (not decoded). */
  readonly path: string;
  /**
   * True when the request target is one Bulwark refuses (see `requestTargetPath`): the
   * router might route it somewhere `path` does not say. `path` is then `/`, and guards
   * answer 400 (`evaluatePolicy`). Absent means accepted.
   */
  readonly targetRefused?: boolean;
  /** Case-insensitive header lookup; several values of one field are joined with `, `. */
  header(name: string): string | undefined;
  /**
   * The client address after trust-proxy resolution, or `undefined` when the runtime
   * does not expose the peer address.
   */
  readonly clientIp: string | undefined;
  /**
   * Who is calling, when an authenticator policy ran before in this request (through the
   * same guard list or an earlier guard): the request context's principal.
   */
  readonly principal?: Principal | undefined;
}

/**
 * Builds a RequestView from plain values. Used by tests, by runtimes without an adapter,
 * and by the adapters themselves.
 *
 * @example
 * ```ts
 * const view = requestView({ method: 'GET', path: '/v2/notes', headers: { origin: 'https://app.example.com' } })
 * ```
 */
export function requestView(init: {
  method: string;
  path: string;
  headers?: Readonly<Record<string, string | undefined>>;
  clientIp?: string;
  principal?: Principal;
}): RequestView {
  const lower = new Map<string, string>();
  for (const [name, value] of Object.entries(init.headers ?? {})) {
    if (value !== undefined) lower.set(name.toLowerCase(), value);
  }
  return {
    method: init.method,
    path: init.path,
    header: (name) => lower.get(name.toLowerCase()),
    clientIp: init.clientIp,
    principal: init.principal,
  };
}
