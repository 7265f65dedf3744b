import type { SecurityEvent } from '@bulwark/core';
import { requestValidator } from '@bulwark/validation';
import { z } from 'zod';
import type { ConformanceRoute } from './driver.js';

/** The body limit of the conformance app's form routes: small, so 413 tests stay light. */
export const CONFORMANCE_FORM_LIMIT = 2 * 1024;

/** The events of the conformance app's form routes, newest last. */
export const formEvents: SecurityEvent[] = [];

/** A token request (RFC 6749 §4.1.3, §6), strict: unknown fields are refused. */
const tokenRequest = z.object({
  grant_type: z.enum(['authorization_code', 'refresh_token']),
  code: z.string().max(512).optional(),
  code_verifier: z.string().min(43).max(128).optional(),
  redirect_uri: z.string().max(512).optional(),
  refresh_token: z.string().max(512).optional(),
  client_id: z.string().max(64).optional(),
});

const shared = {
  body: tokenRequest,
  bodyType: 'form',
  bodyLimit: CONFORMANCE_FORM_LIMIT,
  onEvent: (event: SecurityEvent) => formEvents.push(event),
} as const;

/** Refusals as problem+json. */
const formProblems = requestValidator(shared);
/** Refusals in the OAuth 2.0 error form (RFC 6749 §5.2), as a token endpoint answers them. */
const formOAuth = requestValidator({ ...shared, errorFormat: 'oauth' });

/** The handler echoes what the validator gave it, to prove the parsed fields reached it. */
const echo: ConformanceRoute['handle'] = ({ valid }) => ({ status: 200, body: { received: valid?.body } });

/** Form routes: the same strict token-request schema, refusals as problems or in the OAuth form. */
export const formRoutes: readonly ConformanceRoute[] = [
  { method: 'POST', path: '/v2/forms/token', validator: formProblems, handle: echo },
  { method: 'POST', path: '/oauth/token', validator: formOAuth, handle: echo },
];
