import type { ServerResponse } from 'node:http';
import { applyHeaders, type HeaderSink, type RefusalDecision, renderDecision } from '@bulwark/core';

/**
 * Express 5 gives every `req` and `res` a hidden class of its own (`setPrototypeOf` per
 * request), so each property load on them misses V8's inline caches and goes through the
 * runtime: a dozen `res.setHeader` lookups a request showed in perf as `StubCache::Set` and
 * `LoadIC::ComputeHandler`. The sink looks the three methods up once, when it is made (one
 * per guard run), and calls them on the response.
 */
class NodeHeaderSink implements HeaderSink {
  readonly #res: ServerResponse;
  readonly #getHeader: ServerResponse['getHeader'];
  readonly #setHeader: ServerResponse['setHeader'];
  readonly #removeHeader: ServerResponse['removeHeader'];

  constructor(res: ServerResponse) {
    this.#res = res;
    this.#getHeader = res.getHeader;
    this.#setHeader = res.setHeader;
    this.#removeHeader = res.removeHeader;
  }

  get(name: string): string | undefined {
    const value = this.#getHeader.call(this.#res, name);
    return value === undefined ? undefined : Array.isArray(value) ? value.join(', ') : String(value);
  }

  set(name: string, value: string): void {
    this.#setHeader.call(this.#res, name, value);
  }

  remove(name: string): void {
    this.#removeHeader.call(this.#res, name);
  }
}

/** A HeaderSink over a Node response. */
export function nodeHeaderSink(res: ServerResponse): HeaderSink {
  return new NodeHeaderSink(res);
}

/** Core's `applyAllow`, re-exported where it always was. */
export { applyAllow } from '@bulwark/core';

/**
 * Writes a deny or respond decision as the complete answer. Headers already on the
 * response (the security header profile, for one) are kept.
 */
export function sendDecision(res: ServerResponse, decision: RefusalDecision, method: string): void {
  const answer = renderDecision(decision, method);
  const sink = nodeHeaderSink(res);
  applyHeaders(sink, answer.headers);
  if (answer.removeHeaders !== undefined) for (const name of answer.removeHeaders) sink.remove(name);
  res.statusCode = answer.status;
  if (answer.body === undefined) {
    res.end();
    return;
  }
  res.setHeader('content-length', Buffer.byteLength(answer.body));
  res.end(answer.body);
}
