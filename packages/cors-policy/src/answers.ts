import { type AllowDecision, allow, type DenyDecision, deny, type RespondDecision, respond } from '@bulwark/core';
import type { CompiledCorsOptions } from './options.js';

type Pairs = Array<readonly [string, string]>;

/** The answers a policy gives, each built new on every call. */
export interface CorsAnswers {
  /** A grant to an actual request: `origin` is the echoed origin or `*`. */
  grant(origin: string, isOptions: boolean): AllowDecision;
  /** An answer that depends on the Origin but grants nothing: only Vary. */
  withoutGrant(isOptions: boolean): AllowDecision;
  preflight(origin: string, method: string, requestHeaders: string, privateNetwork: boolean): RespondDecision;
  preflightRefused(): DenyDecision;
  originRefused(isOptions: boolean): DenyDecision;
}

const ALLOW_ORIGIN = 'access-control-allow-origin';

/**
 * A function building a grant: `Access-Control-Allow-Origin` then the constant `tail` pairs,
 * as one array literal of the exact length (measurably faster than pushing on the hot path).
 * The tail's strings are captured; the pairs returned are new on every call.
 */
function grantBuilder(tail: readonly (readonly [string, string])[]): (origin: string) => AllowDecision {
  const [[n1, v1] = ['', ''], [n2, v2] = ['', ''], [n3, v3] = ['', '']] = tail;
  switch (tail.length) {
    case 0:
      return (origin) => allow([[ALLOW_ORIGIN, origin]]);
    case 1:
      return (origin) =>
        allow([
          [ALLOW_ORIGIN, origin],
          [n1, v1],
        ]);
    case 2:
      return (origin) =>
        allow([
          [ALLOW_ORIGIN, origin],
          [n1, v1],
          [n2, v2],
        ]);
    case 3:
      return (origin) =>
        allow([
          [ALLOW_ORIGIN, origin],
          [n1, v1],
          [n2, v2],
          [n3, v3],
        ]);
    default:
      throw new Error('a grant has at most three pairs after the origin');
  }
}

/**
 * Compiles the answers of a policy. Only strings are computed once; every decision, header
 * list and pair is a new object on each call, so a caller that mutates an answer
 * (`decision.headers[0][1] = ...`) cannot change the answer to the next request.
 *
 * Why not prebuilt frozen decisions: on Node.js 20 a frozen array leaves V8's fast
 * iteration path, and deep-freezing the shared decisions made `pnpm bench cors` about 35 %
 * slower; these few short-lived objects cost about 20 ns per request (see
 * docs/cors-policy.md). jub0bs/cors also builds its headers per request, to the same end.
 */
export function compileAnswers(config: CompiledCorsOptions): CorsAnswers {
  const { credentials, exposedHeaders, maxAge, privateNetworkAccess } = config;
  // With "*" an actual request's answer does not depend on the Origin, so no Vary: Origin.
  const varyActual = config.allowAll ? undefined : 'Origin';
  const varyOptions = `Origin, Access-Control-Request-Method, Access-Control-Request-Headers${privateNetworkAccess ? ', Access-Control-Request-Private-Network' : ''}`;
  const grantTail: Array<readonly [string, string]> = [];
  if (credentials) grantTail.push(['access-control-allow-credentials', 'true']);
  if (exposedHeaders !== '') grantTail.push(['access-control-expose-headers', exposedHeaders]);
  const grantActual = grantBuilder(varyActual === undefined ? grantTail : [...grantTail, ['vary', varyActual]]);
  const grantOptions = grantBuilder([...grantTail, ['vary', varyOptions]]);

  return {
    grant: (origin, isOptions) => (isOptions ? grantOptions(origin) : grantActual(origin)),
    withoutGrant(isOptions) {
      const vary = isOptions ? varyOptions : varyActual;
      return allow(vary === undefined ? [] : [['vary', vary]]);
    },
    preflight(origin, method, requestHeaders, privateNetwork) {
      const headers: Pairs = [
        ['access-control-allow-origin', origin],
        ['access-control-allow-methods', method],
      ];
      if (requestHeaders !== '') headers.push(['access-control-allow-headers', requestHeaders]);
      if (credentials) headers.push(['access-control-allow-credentials', 'true']);
      if (maxAge !== undefined) headers.push(['access-control-max-age', maxAge]);
      if (privateNetworkAccess && privateNetwork) headers.push(['access-control-allow-private-network', 'true']);
      headers.push(['vary', varyOptions]);
      return respond(204, headers);
    },
    preflightRefused() {
      return deny('cors_preflight_rejected', 'The CORS preflight request was refused.', {
        headers: [['vary', varyOptions]],
      });
    },
    originRefused(isOptions) {
      const vary = isOptions ? varyOptions : varyActual;
      return deny('cors_origin_rejected', 'This origin is not allowed to call this API.', {
        headers: vary === undefined ? [] : [['vary', vary]],
      });
    },
  };
}
