import { applyHeaders, type Decision, renderDecision } from '@bulwark/core';
import { nodeHeaderSink } from '@bulwark/node';
import type { Context } from 'koa';

/** Writes a deny or respond decision through Koa. ctx.set writes straight to the Node response, so the Node sink serves. */
export function send(ctx: Context, decision: Exclude<Decision, { kind: 'allow' }>): void {
  const answer = renderDecision(decision, ctx.method);
  applyHeaders(nodeHeaderSink(ctx.res), answer.headers);
  ctx.status = answer.status;
  ctx.body = answer.body ?? null;
}
