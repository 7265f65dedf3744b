import type { SecurityEvent } from '@bulwark/core';
import { paginationQuery, requestValidator } from '@bulwark/validation';
import { z } from 'zod';
import type { ConformanceRoute } from './driver.js';

/** The body limit of the conformance app's validated route: small, so 413 tests stay light. */
export const CONFORMANCE_BODY_LIMIT = 16 * 1024;

/** The events of the conformance app's validated create route, newest last. */
export const validationEvents: SecurityEvent[] = [];

const createNote = requestValidator({
  body: z.object({
    title: z.string().min(1).max(200),
    body: z.string().max(10_000).optional(),
    tags: z.array(z.string().max(32)).max(10).optional(),
  }),
  output: z.object({
    id: z.string(),
    title: z.string(),
    body: z.string().optional(),
    tags: z.array(z.string()).optional(),
  }),
  bodyLimit: CONFORMANCE_BODY_LIMIT,
  onEvent: (event) => validationEvents.push(event),
});

const search = requestValidator({
  query: paginationQuery().extend({ active: z.boolean().optional(), tag: z.array(z.string()).optional() }),
  cookies: z.object({ theme: z.enum(['light', 'dark']).optional() }),
});

/** Validated routes: a strict JSON create with an output schema, and a list with a coerced query. */
export const validationRoutes: readonly ConformanceRoute[] = [
  {
    method: 'POST',
    path: '/v2/notes',
    validator: createNote,
    // Internal fields the output schema must drop before the answer leaves (API3).
    handle: ({ valid }) => ({
      status: 201,
      body: { id: 'n1', ...(valid?.body as object), ownerId: 'owner-secret-42', passwordHash: '$argon2id$secret' },
    }),
  },
  {
    method: 'GET',
    path: '/v2/search',
    validator: search,
    handle: ({ valid }) => {
      const theme = (valid?.cookies as { theme?: string } | undefined)?.theme;
      return { status: 200, body: { query: valid?.query, ...(theme ? { theme } : {}) } };
    },
  },
];
