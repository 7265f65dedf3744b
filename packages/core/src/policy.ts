import type { Decision } from './decision.js';
import type { RequestView } from './request-view.js';

/**
 * What every request-level primitive compiles to. Adapters run `evaluate` and translate the
 * {@link Decision}; they never decide anything themselves.
 */
export interface RequestPolicy {
  /** A short name for logs and error messages (`cors`, `headers`, ...). */
  readonly name: string;
  evaluate(view: RequestView): Decision | Promise<Decision>;
}

/**
 * What allow decisions hand to route handlers, merged across policies. Adapters expose it
 * the framework's way: `req.bulwark` (Express), `request.bulwark` (Fastify),
 * `ctx.state.bulwark` (Koa), `c.get('bulwark')` (Hono).
 */
export interface BulwarkState {
  /** The API version negotiated by the version policy. */
  readonly apiVersion?: string;
  readonly [key: string]: unknown;
}
