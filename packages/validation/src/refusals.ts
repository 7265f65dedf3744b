import { type DenyDecision, deny, standardDeny } from '@bulwark/core';

/** The refusals a validator answers, built once at its factory (only schema failures vary). */
export interface FixedRefusals {
  readonly tooLarge: DenyDecision;
  readonly timedOut: DenyDecision;
  readonly badLength: DenyDecision;
  readonly twoContentTypes: DenyDecision;
  readonly unsupported: DenyDecision;
  readonly encoded: DenyDecision;
  /** A body refused before its schema ran (400), by reason. */
  readonly malformed: Readonly<Record<MalformedBody, DenyDecision>>;
}

/** Why a JSON or form body was refused before its schema ran. */
export type MalformedBody = 'encoding' | 'syntax' | 'percent_encoding' | 'surrogate' | 'forbidden_key' | 'depth';

/** Builds a validator's fixed refusals for its accepted types and depth limit. */
export function fixedRefusals(accepted: readonly string[], maxDepth: number): FixedRefusals {
  const malformed = {
    encoding: 'The request body is not valid UTF-8.',
    syntax: 'The request body is not valid JSON.',
    percent_encoding: 'The request body has a % that does not start a %XX escape.',
    surrogate: 'The request body has a string with an unpaired UTF-16 surrogate escape (\\uD800-\\uDFFF).',
    forbidden_key: 'The request body uses a forbidden key (__proto__, constructor or prototype).',
    depth: `The request body nests deeper than ${maxDepth} levels.`,
  } as const;
  return {
    tooLarge: standardDeny('payload_too_large', [['connection', 'close']]),
    // The rest of the body may still come: the connection cannot be reused.
    timedOut: deny('request_timeout', 'The request body did not arrive in time.', {
      headers: [['connection', 'close']],
    }),
    badLength: standardDeny('bad_request'),
    // Node keeps the first of two Content-Type fields, Web Headers join them: each framework
    // would read a different type. A request that says two things is refused, not guessed.
    twoContentTypes: deny('bad_request', 'The request has more than one Content-Type field.'),
    unsupported: deny('unsupported_media_type', `This endpoint accepts ${accepted.join(', ')}.`, {
      extensions: { accepted: [...accepted] },
    }),
    // RFC 9110 section 15.5.16: a 415 caused by a content coding names the accepted codings.
    encoded: deny('unsupported_media_type', 'This endpoint accepts bodies without a content coding.', {
      headers: [['accept-encoding', 'identity']],
      extensions: { accepted: [...accepted] },
    }),
    malformed: Object.fromEntries(
      Object.entries(malformed).map(([reason, detail]) => [reason, deny('bad_request', detail)]),
    ) as Record<MalformedBody, DenyDecision>,
  };
}
