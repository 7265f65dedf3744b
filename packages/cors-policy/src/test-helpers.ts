// Shared by this package's tests only (not exported from the package entry).
import { type Decision, requestView } from '@bulwark/core';
import { type CorsOptions, corsPolicy } from './index.js';

/** One request through a freshly built policy. */
export function get(policyOptions: CorsOptions, headers: Record<string, string>, method = 'GET', path = '/v2/notes') {
  return corsPolicy(policyOptions).evaluate(requestView({ method, path, headers }));
}

/** The first value of a header in a decision. */
export function header(decision: Decision, name: string): string | undefined {
  return decision.headers.find(([n]) => n === name)?.[1];
}

/** The request headers of a preflight. */
export function preflight(origin: string, method: string, requestHeaders?: string): Record<string, string> {
  return {
    origin,
    'access-control-request-method': method,
    ...(requestHeaders === undefined ? {} : { 'access-control-request-headers': requestHeaders }),
  };
}
