import type { RequestValidator } from '../validation-contract.js';

function isBinary(body: object): boolean {
  return (
    ArrayBuffer.isView(body) || body instanceof ArrayBuffer || typeof (body as { pipe?: unknown }).pipe === 'function'
  );
}

/**
 * The output hook every adapter runs on a handler's answer: a route's output schema
 * filters a 2xx answer whose body is a value (an object or an array, not bytes or a
 * stream); every other answer (a problem, a redirect, a file) goes out as it is. One rule
 * for the four frameworks; field-level redaction (#9) is meant to hook in here too.
 *
 * @example
 * ```ts
 * declare const res: { statusCode: number; json(value: unknown): unknown }; // Express's, say
 * const json = res.json.bind(res);
 * res.json = (value) => json(filterOutput(validator, res.statusCode, value));
 * ```
 */
export function filterOutput(
  validator: Pick<RequestValidator<unknown, unknown, unknown, unknown, unknown>, 'hasOutput' | 'filterOutput'>,
  status: number,
  body: unknown,
): unknown {
  if (!validator.hasOutput || status < 200 || status >= 300) return body;
  if (typeof body !== 'object' || body === null || isBinary(body)) return body;
  return validator.filterOutput(body);
}

/** Whether {@link filterOutput} would filter an answer with this status (for adapters that must parse the body first). */
export function filtersStatus(
  validator: Pick<RequestValidator<unknown, unknown, unknown, unknown, unknown>, 'hasOutput'>,
  status: number,
): boolean {
  return validator.hasOutput && status >= 200 && status < 300;
}
