import type { ServerResponse } from 'node:http';
import { applyHeaders, type HeaderSink, type RefusalDecision, renderDecision } from '@bulwark/core';

class NodeHeaderSink implements HeaderSink {
  readonly #res: ServerResponse;

  constructor(res: ServerResponse) {
    this.#res = res;
  }

  get(name: string): string | undefined {
    const value = this.#res.getHeader(name);
    return value === undefined ? undefined : Array.isArray(value) ? value.join(', ') : String(value);
  }

  set(name: string, value: string): void {
    this.#res.setHeader(name, value);
  }

  remove(name: string): void {
    this.#res.removeHeader(name);
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
