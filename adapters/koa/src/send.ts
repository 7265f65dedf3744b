import { applyHeaders, type Decision, renderDecision } from '@bulwark/core';
import { nodeHeaderSink } from '@bulwark/node';
import type { Context } from 'koa';

/** Writes a deny or respond decision through Koa. ctx.set writes straight to the Node response, so the Node sink serves. */
export function send(ctx: Context, decision: Exclude<Decision, { kind: 'allow' }>): void {
  const answer = renderDecision(decision, ctx.method);
  const sink = nodeHeaderSink(ctx.res);
  applyHeaders(sink, answer.headers);
  if (answer.removeHeaders !== undefined) for (const name of answer.removeHeaders) sink.remove(name);
  if (answer.body === undefined) {
    // Koa turns any status into 204 when the body is set to null after it (a HEAD denial
    // answered 204 until 2026-11-28): the empty body first, then the status.
    ctx.body = null;
    ctx.status = answer.status;
    return;
  }
  ctx.status = answer.status;
  ctx.body = answer.body;
}
