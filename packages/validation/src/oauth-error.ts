import { type DenyDecision, type HeaderList, type RespondDecision, respond } from '@bulwark/core';

/** How a validator renders its refusals: RFC 9457 problems, or the OAuth 2.0 error response. */
export type ErrorFormat = 'problem' | 'oauth';

/**
 * Statuses kept in the OAuth form: the request was refused before its parameters were
 * read (415 wrong type or content coding, 413 too large, 408 too slow), so it is not an
 * OAuth request error, and these codes tell a client, a proxy and a retry policy exactly
 * what to change. Everything else (malformed body, repeated or unknown parameter, a value
 * the schema refuses, invalid query or headers) is RFC 6749 §5.2's 400 `invalid_request`.
 */
const KEPT_STATUSES = new Set([408, 413, 415]);

/** Characters RFC 6749 §5.2 allows in `error_description`: printable ASCII but `"` and `\`. */
const NOT_ALLOWED = /[^\x20\x21\x23-\x5b\x5d-\x7e]/g;

/**
 * The phrase sent for a schema failure: the problem form's `errors` (pointers) have no
 * place in §5.2, and naming an unknown parameter would echo the client's input.
 */
const SCHEMA_FAILURE = 'The request has a missing, unknown or invalid parameter.';

/** The `error_description` for a refusal: its fixed detail, reduced to the characters §5.2 allows. */
function describe(decision: DenyDecision): string {
  const detail = decision.code === 'validation_failed' ? SCHEMA_FAILURE : decision.problem.detail;
  return detail.replace(NOT_ALLOWED, '');
}

/**
 * A validator's refusal in the OAuth 2.0 error form (RFC 6749 §5.2): `application/json`
 * `{"error":"invalid_request","error_description":"..."}`, `Cache-Control: no-store` and
 * `Pragma: no-cache` (as §5.1 asks of token responses), the refusal's own fields kept
 * (`Connection: close` after a 413 or 408, `Accept-Encoding` after a 415 for a content
 * coding). The status is 400, or the refusal's own 408, 413 or 415.
 */
export function oauthRefusal(decision: DenyDecision): RespondDecision {
  const status = KEPT_STATUSES.has(decision.status) ? decision.status : 400;
  const body = JSON.stringify({ error: 'invalid_request', error_description: describe(decision) });
  const headers: HeaderList = [
    ...decision.headers,
    ['content-type', 'application/json'],
    ['cache-control', 'no-store'],
    ['pragma', 'no-cache'],
  ];
  return respond(status, headers, body);
}
