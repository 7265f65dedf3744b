import { type AllowDecision, type DenyDecision, deny } from '../decision.js';
import type { BulwarkState } from '../policy.js';
import type { Principal } from '../principal.js';

const CONFLICT_DETAIL = 'The request carries credentials for more than one principal.';

/**
 * Two authenticators named different subjects: a request carrying two credentials (a
 * token for one user, an API key of another). The client chose that, so it is its error
 * (400 `invalid_request`, as RFC 6750 §3.1 answers a request with more than one
 * credential), never a 500 and never a silent replacement of the first principal.
 */
const PRINCIPAL_CONFLICT: DenyDecision = deny('invalid_request', CONFLICT_DETAIL);

/**
 * What the policies of one request have established so far: the state their allow
 * decisions handed over (merged shallowly, a later key replacing an earlier one) and the
 * principal (set once). One per request, kept by the adapter on the request object, so
 * that every guard of the request shares it. Changed only through {@link mergeAllow}.
 *
 * @example
 * ```ts
 * const context = new RequestContext();
 * mergeAllow(context, allow([], { apiVersion: 'v2' }));
 * context.state; // { apiVersion: 'v2' }
 * ```
 */
export class RequestContext {
  #state: BulwarkState | undefined = undefined;
  #principal: Principal | undefined = undefined;

  /** The merged state of every allow so far, or `undefined` when none carried any. */
  get state(): BulwarkState | undefined {
    return this.#state;
  }

  /** The authenticated principal, once an authenticator allowed the request. */
  get principal(): Principal | undefined {
    return this.#principal;
  }

  /** @internal see {@link mergeAllow} */
  merge(decision: AllowDecision): DenyDecision | undefined {
    const { state, principal } = decision;
    if (principal !== undefined) {
      const current = this.#principal;
      if (current === undefined) this.#principal = principal;
      else if (current.subject !== principal.subject || current.kind !== principal.kind) return PRINCIPAL_CONFLICT;
      // The same subject again (a second credential of the same caller) keeps the first.
    }
    if (state !== undefined) this.#state = this.#state === undefined ? state : { ...this.#state, ...state };
    return undefined;
  }
}

/**
 * The one merge rule for allow decisions, called by `evaluatePolicies` for every allow:
 * state is merged shallowly (later keys win, as before the context existed); the
 * principal is set once; the same subject again is fine; another subject is refused with
 * the returned 400 `invalid_request` decision, and the context keeps the first principal.
 *
 * @example
 * ```ts
 * if (decision.kind === 'allow') {
 *   const refusal = mergeAllow(context, decision);
 *   if (refusal !== undefined) return refusal;
 * }
 * ```
 */
export function mergeAllow(context: RequestContext, decision: AllowDecision): DenyDecision | undefined {
  return context.merge(decision);
}
