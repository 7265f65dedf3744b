import { type AllowDecision, type Decision, deny, type RefusalDecision } from '../decision.js';
import { applyHeaders, type HeaderSink } from '../headers.js';
import type { RequestPolicy } from '../policy.js';
import { REQUEST_TARGET_REFUSED_DETAIL } from '../request-target.js';
import type { RequestView } from '../request-view.js';
import { mergeAllow, type RequestContext } from './context.js';

const REFUSED_TARGET = deny('bad_request', REQUEST_TARGET_REFUSED_DETAIL);

/** What a guard list decided: `undefined` when every policy allowed, else the answer to send. */
export type PipelineOutcome = RefusalDecision | undefined;

/**
 * Puts an allow decision's headers on the answer to come: `vary` merges, `link` appends,
 * other names replace (see `applyHeaders`), then its removals. The one place adapters'
 * allow headers are applied.
 *
 * @example
 * ```ts
 * applyAllow(sink, allow([['x-content-type-options', 'nosniff']], undefined));
 * ```
 */
export function applyAllow(sink: HeaderSink, decision: AllowDecision): void {
  if (decision.headers.length > 0) applyHeaders(sink, decision.headers);
  const removals = decision.removeHeaders;
  if (removals !== undefined) for (let i = 0; i < removals.length; i++) sink.remove(removals[i] as string);
}

function isPromise(value: Decision | Promise<Decision>): value is Promise<Decision> {
  return typeof (value as { then?: unknown }).then === 'function';
}

/** Merges one decision into the context and the sink; a refusal to send, or undefined to go on. */
function settle(decision: Decision, context: RequestContext, sink: HeaderSink): PipelineOutcome {
  if (decision.kind !== 'allow') return decision;
  const conflict = mergeAllow(context, decision);
  if (conflict !== undefined) return conflict;
  applyAllow(sink, decision);
  return undefined;
}

async function finishAsync(
  pending: Promise<Decision>,
  index: number,
  policies: readonly RequestPolicy[],
  view: RequestView,
  context: RequestContext,
  sink: HeaderSink,
): Promise<PipelineOutcome> {
  let outcome = settle(await pending, context, sink);
  for (let i = index + 1; outcome === undefined && i < policies.length; i++) {
    outcome = settle(await (policies[i] as RequestPolicy).evaluate(view), context, sink);
  }
  return outcome;
}

function refuseTarget(
  policy: RequestPolicy | undefined,
  view: RequestView,
  sink: HeaderSink,
): PipelineOutcome | Promise<PipelineOutcome> {
  if (policy === undefined) return REFUSED_TARGET;
  const decision = policy.evaluate(view);
  const finish = (settled: Decision): PipelineOutcome => {
    if (settled.kind === 'allow') applyAllow(sink, settled);
    return REFUSED_TARGET;
  };
  return isPromise(decision) ? decision.then(finish) : finish(decision);
}

/**
 * Runs a guard list for one request, in order, and stops at the first policy that does not
 * allow. Each allow is merged into `context` (state, principal: see `mergeAllow`) before
 * the next policy runs, so a policy after an authenticator sees `view.principal`, and its
 * headers and removals go to `sink` at once (the answer to come: the handler's, or the
 * refusal, which keeps them as separate guards always did). Returns `undefined` when all
 * allowed, else the refusal to send.
 *
 * Synchronous when every policy answered synchronously: no Promise is created on that path
 * (a rate limit on the memory store answers synchronously). From the first policy that
 * returns a Promise on, the rest is awaited in order.
 *
 * A view whose `targetRefused` is set (a request target `requestTargetPath` refuses) is
 * answered 400: only the first policy of the list runs, and its allow headers (the header
 * profile, mounted first as documented) go on the 400. That is exactly what separate
 * guards did (the first guard answered), so `guard([a, b])` and `guard(a), guard(b)` give
 * the same answer; no rate limit is consumed by a refused target.
 *
 * @example
 * ```ts
 * const outcome = evaluatePolicies([profile, cors, limiter], view, context, sink);
 * const refusal = outcome instanceof Promise ? await outcome : outcome;
 * if (refusal !== undefined) return send(refusal);
 * ```
 */
export function evaluatePolicies(
  policies: readonly RequestPolicy[],
  view: RequestView,
  context: RequestContext,
  sink: HeaderSink,
): PipelineOutcome | Promise<PipelineOutcome> {
  if (view.targetRefused === true) return refuseTarget(policies[0], view, sink);
  for (let i = 0; i < policies.length; i++) {
    const decision = (policies[i] as RequestPolicy).evaluate(view);
    if (isPromise(decision)) return finishAsync(decision, i, policies, view, context, sink);
    const outcome = settle(decision, context, sink);
    if (outcome !== undefined) return outcome;
  }
  return undefined;
}
