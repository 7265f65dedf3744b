import { ConfigError, PROBLEM_CONTENT_TYPE, STATUS_BY_CODE } from '@bulwark/core';
import { type HeaderName, REF } from './components.js';
import type { JsonObject } from './types.js';

/** Why each code is answered, for the response descriptions. */
const REASONS: Readonly<Record<string, string>> = {
  bad_request:
    'a malformed request (a body where the route takes none, an invalid parameter, a body that is not well-formed: bad JSON or form encoding, `__proto__`, too deep, two Content-Type fields)',
  invalid_request: 'a malformed Bearer credential',
  unauthenticated: 'no credential',
  invalid_token: 'the access token fails a check (signature, expiry, audience, revocation...)',
  invalid_api_key: 'the API key is unknown, revoked or expired',
  insufficient_scope: 'the credential lacks a required scope (`required_scope`)',
  not_found: "no such resource, or not the caller's",
  request_timeout: 'the body did not arrive in time; the connection is closed',
  payload_too_large: 'the body is over the limit (checked while reading; chunked bodies too)',
  unsupported_media_type: 'a missing or wrong Content-Type, or a Content-Encoding',
  validation_failed: 'a well-formed body that does not match the schema (`errors`)',
  rate_limited: 'over a rate limit (`Retry-After`)',
  api_sunset: 'the route was retired at its sunset',
};

/** One error answer an operation documents. */
export interface ErrorAnswer {
  /** The problem+json codes. */
  readonly codes: Set<string>;
  /** The codes answered in the RFC 6749 §5.2 form (a validator with `errorFormat: 'oauth'`). */
  readonly oauthCodes: Set<string>;
  readonly headers: Set<HeaderName>;
}

/** Adds a code's answer to the operation's error answers (merging per status). */
export function addError(
  errors: Map<number, ErrorAnswer>,
  code: string,
  options: {
    readonly headers?: readonly HeaderName[];
    readonly format?: 'problem' | 'oauth';
    readonly status?: number;
  } = {},
): void {
  const { headers = [], format = 'problem' } = options;
  const status = options.status ?? STATUS_BY_CODE[code as keyof typeof STATUS_BY_CODE];
  const answer = errors.get(status) ?? {
    codes: new Set<string>(),
    oauthCodes: new Set<string>(),
    headers: new Set<HeaderName>(),
  };
  (format === 'oauth' ? answer.oauthCodes : answer.codes).add(code);
  for (const header of headers) answer.headers.add(header);
  errors.set(status, answer);
}

/** Checks that each code a route names exists and has this status in core's table. */
export function checkCodes(codes: unknown, status: number, option: string): readonly string[] {
  if (codes === undefined) return [];
  if (!Array.isArray(codes)) throw new ConfigError(option, 'expected a list of problem codes');
  for (const [i, code] of codes.entries()) {
    const actual = STATUS_BY_CODE[code as keyof typeof STATUS_BY_CODE];
    if (actual === undefined)
      throw new ConfigError(`${option}[${i}]`, `"${String(code)}" is not a Bulwark problem code`);
    if (actual !== status)
      throw new ConfigError(`${option}[${i}]`, `"${code}" is answered with ${actual}, not ${status}`);
  }
  return codes as string[];
}

/** The description of an error answer: each code and why. */
export function errorDescription(codes: Iterable<string>): string {
  return [...codes].map((code) => (REASONS[code] ? `\`${code}\`: ${REASONS[code]}` : `\`${code}\``)).join('; ');
}

/** The body of an error answer: the Problem (with its codes), the OAuth error, or both. */
export function errorContent(status: number, answer: ErrorAnswer): JsonObject {
  const content: Record<string, JsonObject> = {};
  if (answer.codes.size > 0) {
    const base = status === 422 ? REF.validationProblem : REF.problem;
    const codes = [...answer.codes].sort();
    content[PROBLEM_CONTENT_TYPE] = {
      schema: { allOf: [{ $ref: base }, { type: 'object', properties: { code: { enum: codes } } }] },
    };
  }
  if (answer.oauthCodes.size > 0) content['application/json'] = { schema: { $ref: REF.oauthError } };
  return content;
}

/** Every code of an answer, either form. */
export function codesOf(answer: ErrorAnswer): string[] {
  return [...new Set([...answer.codes, ...answer.oauthCodes])];
}
