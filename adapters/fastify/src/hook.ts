import {
  type ClientIpResolver,
  evaluatePolicies,
  type PipelineOutcome,
  type RequestContext,
  type RequestPolicy,
} from '@bulwark/core';
import { nodeRequestContext } from '@bulwark/node';
import type { FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import { replySink, send } from './send.js';

/** Hands the context to the request, or answers the refusal; true when the request goes on. */
function finish(
  outcome: PipelineOutcome,
  context: RequestContext,
  request: FastifyRequest,
  reply: FastifyReply,
): boolean {
  if (outcome !== undefined) {
    send(reply, outcome, request.method);
    return false;
  }
  const { state, principal } = context;
  if (state !== undefined) request.bulwark = state;
  if (principal !== undefined) request.auth = principal;
  return true;
}

/**
 * The `onRequest` hook that runs a checked policy list: the app-wide `guard` plugin's and
 * the route-level `requireScopes`'. One view and context per request (shared with every
 * other guard); a callback hook, so no Promise when every policy answers synchronously.
 */
export function policyHook(list: readonly RequestPolicy[], resolveClientIp: ClientIpResolver): onRequestHookHandler {
  return function bulwarkGuard(request, reply, next) {
    let outcome: PipelineOutcome | Promise<PipelineOutcome>;
    let context: RequestContext;
    try {
      const slot = nodeRequestContext(request.raw, request.raw.url, resolveClientIp);
      context = slot.context;
      outcome = evaluatePolicies(list, slot.view, context, replySink(reply));
    } catch (err) {
      next(err as Error);
      return;
    }
    if (outcome instanceof Promise) {
      outcome.then((settled) => {
        if (finish(settled, context, request, reply)) next();
      }, next);
      return;
    }
    // A refusal is sent and `next` not called: Fastify's way of answering from a hook.
    if (finish(outcome, context, request, reply)) next();
  };
}
