import { PROBLEM_CONTENT_TYPE, PROBLEM_TYPE_PREFIX, STATUS_BY_CODE } from '@bulwark/core';
import type { JsonObject } from './types.js';

/** Where the shared parts live, so each operation refers to them instead of copying them. */
export const REF = {
  problem: '#/components/schemas/Problem',
  validationProblem: '#/components/schemas/ValidationProblem',
  oauthError: '#/components/schemas/OAuthError',
  header: (name: HeaderName) => `#/components/headers/${name}`,
} as const;

export type HeaderName =
  | 'WWW-Authenticate'
  | 'Retry-After'
  | 'RateLimit'
  | 'RateLimit-Policy'
  | 'Deprecation'
  | 'Sunset'
  | 'Link'
  | 'Allow';

const FIELD_ERROR: JsonObject = {
  type: 'object',
  description: 'One invalid field. The input is never echoed.',
  required: ['pointer', 'detail', 'in'],
  properties: {
    pointer: { type: 'string', description: 'A JSON Pointer (RFC 6901) into the part named by `in`.' },
    detail: { type: 'string' },
    in: { type: 'string', enum: ['body', 'query', 'params', 'headers', 'cookies'] },
  },
};

const PROBLEM: JsonObject = {
  type: 'object',
  description:
    'RFC 9457 problem details, with the stable error code in `code` (also the end of `type`). Never a stack trace, a store error text or the echo of a secret.',
  required: ['type', 'title', 'status', 'detail', 'code'],
  properties: {
    type: { type: 'string', description: `\`${PROBLEM_TYPE_PREFIX}<code>\`` },
    title: { type: 'string' },
    status: { type: 'integer', minimum: 400, maximum: 599 },
    detail: { type: 'string' },
    instance: { type: 'string' },
    code: { type: 'string', enum: Object.keys(STATUS_BY_CODE).sort() },
    errors: { type: 'array', items: FIELD_ERROR, description: 'The invalid fields (400 and 422 of validation).' },
    required_scope: { type: 'string', description: 'The scopes the route needs, space-separated (403).' },
    retryAfter: { type: 'integer', minimum: 1, description: 'Seconds, as in `Retry-After`.' },
  },
};

const VALIDATION_PROBLEM: JsonObject = {
  description: 'A well-formed body that does not match the schema (422): every invalid field, at most 50.',
  allOf: [{ $ref: REF.problem }, { type: 'object', required: ['errors'] }],
};

const OAUTH_ERROR: JsonObject = {
  type: 'object',
  description: 'An OAuth 2.0 error response (RFC 6749 §5.2).',
  required: ['error'],
  properties: {
    error: { type: 'string' },
    error_description: { type: 'string' },
  },
};

const text = (description: string, example?: string): JsonObject => ({
  description,
  schema: { type: 'string' },
  ...(example === undefined ? {} : { example }),
});

/** The shared components: the problem schemas and every header the policies send. */
export function sharedComponents(realm: string | undefined): JsonObject {
  const challenge = realm === undefined ? 'Bearer' : `Bearer realm="${realm}"`;
  return {
    schemas: { Problem: PROBLEM, ValidationProblem: VALIDATION_PROBLEM, OAuthError: OAUTH_ERROR },
    headers: {
      'WWW-Authenticate': text(
        `The challenge (RFC 6750 §3): \`${challenge}\`, with \`error="invalid_request"\`, \`error="invalid_token"\` or \`error="insufficient_scope", scope="..."\` when a credential was given.`,
        challenge,
      ),
      'Retry-After': {
        description: 'Seconds until the request may be retried (RFC 9110 §10.2.3).',
        schema: { type: 'integer', minimum: 1 },
      },
      RateLimit: text(
        'The state of each applied limit (draft-ietf-httpapi-ratelimit-headers): `"<name>";r=<remaining>;t=<seconds to reset>`, one item per limit.',
        '"ip";r=999;t=900',
      ),
      'RateLimit-Policy': text(
        'Each applied limit: `"<name>";q=<quota>;w=<window seconds>`, one item per limit.',
        '"ip";q=1000;w=900',
      ),
      Deprecation: text('When the route was deprecated (RFC 9745): `@<epoch seconds>`.'),
      Sunset: text('When the route stops working (RFC 8594), an HTTP-date.'),
      Link: text('`rel="deprecation"`, `rel="sunset"` and `rel="successor-version"` links (RFC 8288).'),
      Allow: text('The methods the path answers (RFC 9110 §10.2.1).'),
    },
    responses: {
      MethodNotAllowed: {
        description:
          'Any method a documented path does not answer: 405 with `Allow` (a plain OPTIONS gets 204 with `Allow`).',
        headers: { Allow: { $ref: REF.header('Allow') } },
        content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: REF.problem } } },
      },
    },
  };
}
