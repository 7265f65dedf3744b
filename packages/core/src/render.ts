import type { Decision } from './decision.js';
import { problemJson } from './error-decision.js';
import type { HeaderList } from './headers.js';
import { PROBLEM_CONTENT_TYPE } from './problem.js';

const ENCODER = new TextEncoder();

/** A decision turned into bytes to send: the only shape adapters copy onto their response. */
export interface RenderedAnswer {
  readonly status: number;
  readonly headers: HeaderList;
  /** Header names to remove from the response (set before, by the framework or an earlier middleware). */
  readonly removeHeaders?: readonly string[];
  /** `undefined` for an empty body (204, or any answer to HEAD). */
  readonly body: string | undefined;
}

/**
 * Renders a `deny` or `respond` decision. Problems get `application/problem+json` and
 * `no-store` (an error must not be cached by a shared cache as if it were the resource).
 * HEAD answers keep their headers (and the `Content-Length` of the body) and lose their body.
 */
export function renderDecision(decision: Exclude<Decision, { kind: 'allow' }>, method: string): RenderedAnswer {
  if (decision.kind === 'respond') {
    if (method !== 'HEAD') return { status: decision.status, headers: decision.headers, body: decision.body };
    // The same rule as for problems below: HEAD keeps the Content-Length of the body it drops
    // (unless the decision already names one), so every framework answers HEAD alike.
    const { body } = decision;
    const named = decision.headers.some(([name]) => name === 'content-length');
    const headers: HeaderList =
      body === undefined || named
        ? decision.headers
        : [...decision.headers, ['content-length', String(ENCODER.encode(body).byteLength)]];
    return { status: decision.status, headers, body: undefined };
  }
  const body = problemJson(decision);
  const headers: Array<readonly [string, string]> = [
    ...decision.headers,
    ['content-type', PROBLEM_CONTENT_TYPE],
    ['cache-control', 'no-store'],
  ];
  // A HEAD answer carries the fields the GET answer would (RFC 9110 §9.3.2), its
  // Content-Length included, as every framework does for a handler's HEAD answer; the
  // adapters write Content-Length themselves when there is a body.
  if (method === 'HEAD') headers.push(['content-length', String(ENCODER.encode(body).byteLength)]);
  const answer: RenderedAnswer = {
    status: decision.status,
    headers,
    body: method === 'HEAD' ? undefined : body,
  };
  return decision.removeHeaders === undefined ? answer : { ...answer, removeHeaders: decision.removeHeaders };
}
