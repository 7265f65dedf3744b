import type { EventSink } from '@bulwark/core';
import { paginationQuery, requestValidator } from '@bulwark/validation';
import { z } from 'zod';

/** What a note looks like to clients: internal fields (the owner) never leave. */
export const NoteOutput = z.object({
  id: z.string(),
  title: z.string(),
  body: z.string(),
  tags: z.array(z.string()),
  createdAt: z.string(),
});

const UserOutput = z.object({ id: z.string(), email: z.string(), name: z.string() });

/** The demo's validators, one per route, built once. */
export function demoValidators(onEvent?: EventSink) {
  const common = { bodyLimit: '100kb', onEvent } as const;
  return {
    createNote: requestValidator({
      ...common,
      body: z.object({
        title: z.string().min(1).max(200),
        body: z.string().max(10_000).optional(),
        tags: z.array(z.string().max(32)).max(10).optional(),
      }),
      output: NoteOutput,
    }),
    listNotes: requestValidator({
      ...common,
      query: paginationQuery({ defaultLimit: 20, maxLimit: 100 }),
      output: z.object({
        apiVersion: z.string().optional(),
        notes: z.array(NoteOutput),
        nextCursor: z.string().optional(),
      }),
    }),
    getNote: requestValidator({
      ...common,
      params: z.object({ id: z.string().regex(/^\d{1,12}$/) }),
      output: NoteOutput,
    }),
    createReport: requestValidator({
      ...common,
      body: z.object({ kind: z.enum(['notes-summary', 'tag-usage']), since: z.iso.datetime().optional() }),
      output: z.object({ id: z.string(), kind: z.string(), status: z.literal('queued') }),
    }),
    findUsers: requestValidator({
      ...common,
      query: z.object({ email: z.email().max(254) }),
      output: z.object({ users: z.array(UserOutput) }),
    }),
  };
}

export type DemoValidators = ReturnType<typeof demoValidators>;
