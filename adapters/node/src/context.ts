import type { IncomingMessage } from 'node:http';
import { type ClientIpResolver, RequestContext, type RequestView } from '@bulwark/core';
import { nodeRequestView } from './request-view.js';

/** Where a request's Bulwark context lives: on the IncomingMessage, which Express, Koa and Fastify all wrap. */
const SLOT = Symbol.for('bulwark.requestContext');

/** The request context with the view built for it, and the client-IP resolver of that view. */
export interface NodeRequestContext {
  readonly context: RequestContext;
  readonly view: RequestView;
  readonly resolveClientIp: ClientIpResolver;
}

interface WithSlot {
  [SLOT]?: NodeRequestContext;
}

/**
 * The one context of a Node request (the view, the merged state, the principal), created
 * by the first guard that runs and reused by every later guard of the same request, so a
 * policy mounted after an authenticator sees the principal and the view (and its resolved
 * client IP) is built once. A later guard whose client-IP settings differ (another
 * resolver) gets its own view over the same context: its trust-proxy rule is honoured, its
 * state and principal are shared.
 *
 * @example
 * ```ts
 * const { view, context } = nodeRequestContext(req, req.url, resolveClientIp); // Express: req.originalUrl
 * ```
 */
export function nodeRequestContext(
  req: IncomingMessage,
  url: string | undefined,
  resolveClientIp: ClientIpResolver,
): NodeRequestContext {
  const holder = req as IncomingMessage & WithSlot;
  const existing = holder[SLOT];
  if (existing !== undefined) {
    if (existing.resolveClientIp === resolveClientIp) return existing;
    const { context } = existing;
    return { context, view: nodeRequestView(req, { url, resolveClientIp, context }), resolveClientIp };
  }
  const context = new RequestContext();
  const created: NodeRequestContext = {
    context,
    view: nodeRequestView(req, { url, resolveClientIp, context }),
    resolveClientIp,
  };
  holder[SLOT] = created;
  return created;
}

/** The context of a request a guard already ran on, or `undefined`. */
export function existingRequestContext(req: IncomingMessage): RequestContext | undefined {
  return (req as IncomingMessage & WithSlot)[SLOT]?.context;
}
