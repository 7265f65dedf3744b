import { BulwarkError } from '../errors.js';
import type { Principal } from '../principal.js';

/**
 * The error `valid()` throws on a route where `validate(validator)` did not run: a
 * programming error (answered 500 by the error handlers, never a client's fault), with the
 * stable code `adapter_misuse`.
 *
 * @example
 * ```ts
 * declare const req: { valid?: unknown }; // an adapter's request
 * if (req.valid === undefined) throw validationMissing('@bulwark/express');
 * ```
 */
export function validationMissing(adapter: string): BulwarkError {
  return new BulwarkError('adapter_misuse', `${adapter} valid(): validate(validator) did not run on this route`);
}

/**
 * The error of a body already read by another parser before `validate()` (code
 * `adapter_misuse`).
 */
export function bodyAlreadyRead(adapter: string, hint: string): BulwarkError {
  return new BulwarkError('adapter_misuse', `${adapter} validate(): ${hint}`);
}

/**
 * The principal of a request, or a `BulwarkError` with code `unauthenticated` (answered
 * 401 problem+json by the error handlers) when no authenticator set one. What every
 * adapter's `requireAuth(...)` returns.
 *
 * @example
 * ```ts
 * declare const req: { auth?: Principal }; // an adapter's request
 * const principal = requirePrincipal(req.auth);
 * ```
 */
export function requirePrincipal(principal: Principal | undefined): Principal {
  if (principal === undefined) {
    throw new BulwarkError('unauthenticated', 'requireAuth(): no authenticator set a principal for this request');
  }
  return principal;
}
