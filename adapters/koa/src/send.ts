import { applyHeaders, type Decision, type RenderedAnswer, renderDecision } from '@bulwark/core';
import { nodeHeaderSink } from '@bulwark/node';
import type { Context } from 'koa';

/**
 * The contexts a decision was written to. A HEAD answer has no body, so `problemHandlers`
 * cannot tell a route's own 404 from an unmatched route by `ctx.body` alone: it asks here.
 */
const answered = new WeakSet<Context>();

/** Whether {@link send} wrote an answer to `ctx` (so a body-less 404 is a route's, not "no route"). */
export function wasAnswered(ctx: Context): boolean {
  return answered.has(ctx);
}

/** Writes a deny or respond decision through Koa. ctx.set writes straight to the Node response, so the Node sink serves. */
export function send(ctx: Context, decision: Exclude<Decision, { kind: 'allow' }>): void {
  answered.add(ctx);
  const answer = renderDecision(decision, ctx.method);
  if (answer.body === undefined) {
    // Koa turns any status into 204 when the body is set to null after it (a HEAD denial
    // answered 204 until 2026-11-28): the empty body first, then the status. And setting
    // the body to null drops Content-Type and Content-Length: the headers after both, so
    // that a HEAD answer keeps them, as on the other frameworks.
    ctx.body = null;
    ctx.status = answer.status;
    applyAnswerHeaders(ctx, answer);
    return;
  }
  applyAnswerHeaders(ctx, answer);
  ctx.status = answer.status;
  ctx.body = answer.body;
}

function applyAnswerHeaders(ctx: Context, answer: RenderedAnswer): void {
  const sink = nodeHeaderSink(ctx.res);
  applyHeaders(sink, answer.headers);
  if (answer.removeHeaders !== undefined) for (const name of answer.removeHeaders) sink.remove(name);
}
