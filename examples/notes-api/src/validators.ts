import type { EventSink } from '@bulwark/core';
import { paginationQuery, requestValidator } from '@bulwark/validation';
import { z } from 'zod';
import { KEY_ID, MAX_OVERLAP_SECONDS } from './domain/api-keys.js';
import { REQUEST_FIELDS, SIGNIN_COOKIE } from './oauth/csrf.js';

/** What a note looks like to clients: internal fields (the owner, the order) never leave. */
export const NoteOutput = z.object({
  id: z.string(),
  title: z.string(),
  body: z.string(),
  tags: z.array(z.string()),
  createdAt: z.string(),
});

/**
 * A user as `GET /v2/users` shows it: `{id, email}` (masked) without `users:read`,
 * `{id, email, role, created_at}` with it. Never a password hash.
 */
const UserOutput = z.object({
  id: z.string(),
  email: z.string(),
  role: z.string().optional(),
  created_at: z.string().optional(),
});

const FullUserOutput = z.object({ id: z.string(), email: z.string(), role: z.string(), created_at: z.string() });

const noteFields = {
  title: z.string().min(1).max(200),
  body: z.string().max(10_000),
  tags: z.array(z.string().max(32)).max(10),
};

const noteId = z.object({ id: z.uuid() });

/** An RFC 6749 §3.3 scope token. */
const scopeToken = z.string().regex(/^[\x21\x23-\x5B\x5D-\x7E]{1,64}$/);
const keyId = z.object({ id: z.string().regex(KEY_ID) });
const iso = z.string();

/** An API key as creation and rotation answer it: the one place `key` appears. */
const CreatedKeyOutput = z.object({
  id: z.string(),
  name: z.string(),
  key: z.string(),
  start: z.string(),
  scopes: z.array(z.string()),
  created_at: iso,
  expires_at: iso.nullable(),
});

/** An API key as the listing shows it: never a secret, never a digest. */
const ListedKeyOutput = z.object({
  id: z.string(),
  name: z.string(),
  start: z.string(),
  scopes: z.array(z.string()),
  created_at: iso,
  expires_at: iso.nullable(),
  last_used_at: iso.nullable(),
  revoked_at: iso.nullable(),
});

/** The sign-in form's fields and the longest each may be. */
const SIGNIN_FIELDS: ReadonlyArray<readonly [string, number]> = [
  ...REQUEST_FIELDS.map((name) => [name, 2048] as const),
  ['csrf', 128],
  ['email', 254],
  ['password', 1024],
];

const SigninCookie = z.object({ [SIGNIN_COOKIE]: z.string().max(128).optional() });

/** The answer of `/auth/login` and `/auth/refresh`. */
const TokenPairOutput = z.object({
  access_token: z.string(),
  token_type: z.literal('Bearer'),
  expires_in: z.number(),
  refresh_token: z.string(),
  scope: z.string(),
});

/** The demo's validators, one per route, built once. */
export function demoValidators(onEvent?: EventSink) {
  const common = { bodyLimit: '100kb', onEvent } as const;
  const page = paginationQuery({ defaultLimit: 20, maxLimit: 100 });
  return {
    login: requestValidator({
      ...common,
      bodyLimit: '4kb',
      body: z.object({ email: z.string().min(1).max(254), password: z.string().min(1).max(1024) }),
      output: TokenPairOutput,
    }),
    refresh: requestValidator({
      ...common,
      bodyLimit: '4kb',
      body: z.object({ refresh_token: z.string().min(1).max(512) }),
      output: TokenPairOutput,
    }),
    /** `GET /oauth/authorize`: the query is the authorization server's to check; the sign-in cookie is read here. */
    authorizePage: requestValidator({ ...common, cookies: SigninCookie }),
    /** The sign-in form's post: a flat form, strict, each field bounded; the handler decides the rest. */
    authorizeForm: requestValidator({
      ...common,
      bodyLimit: '16kb',
      bodyType: 'form',
      body: z.object(Object.fromEntries(SIGNIN_FIELDS.map(([name, max]) => [name, z.string().max(max).optional()]))),
      cookies: SigninCookie,
    }),
    /**
     * `POST /oauth/token`: a form whose parameters the authorization server checks (RFC
     * 6749 §3.2: unknown ones are ignored, so the schema is open), and every refusal of the
     * validator itself (a wrong content type, an oversized or malformed body) in RFC 6749
     * §5.2 form, like the endpoint's own errors.
     */
    oauthToken: requestValidator({
      ...common,
      bodyLimit: '16kb',
      bodyType: 'form',
      errorFormat: 'oauth',
      body: z.record(z.string(), z.string().max(4096)),
      headers: z.object({ authorization: z.string().max(8192).optional() }),
    }),
    me: requestValidator({
      ...common,
      output: z.object({ id: z.string(), email: z.string(), role: z.string(), scopes: z.array(z.string()) }),
    }),
    createNote: requestValidator({
      ...common,
      body: z.object({ title: noteFields.title, body: noteFields.body.optional(), tags: noteFields.tags.optional() }),
      output: NoteOutput,
    }),
    updateNote: requestValidator({
      ...common,
      params: noteId,
      // Strict like creation: `id`, `owner`, `created_at` (or anything else) in the body are 422.
      body: z.object({
        title: noteFields.title.optional(),
        body: noteFields.body.optional(),
        tags: noteFields.tags.optional(),
      }),
      output: NoteOutput,
    }),
    listNotes: requestValidator({
      ...common,
      query: page,
      output: z.object({
        apiVersion: z.string().optional(),
        notes: z.array(NoteOutput),
        nextCursor: z.string().optional(),
      }),
    }),
    noteById: requestValidator({ ...common, params: noteId, output: NoteOutput }),
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
    createKey: requestValidator({
      ...common,
      body: z.object({
        name: z.string().min(1).max(200),
        scopes: z.array(scopeToken).max(20).optional(),
        expires_in_days: z.number().int().min(1).max(365).optional(),
      }),
      output: CreatedKeyOutput,
    }),
    listKeys: requestValidator({ ...common, output: z.object({ keys: z.array(ListedKeyOutput) }) }),
    keyById: requestValidator({ ...common, params: keyId }),
    rotateKey: requestValidator({
      ...common,
      params: keyId,
      body: z.object({ overlap_seconds: z.number().int().min(0).max(MAX_OVERLAP_SECONDS).optional() }),
      output: CreatedKeyOutput,
    }),
    adminUsers: requestValidator({
      ...common,
      query: page,
      output: z.object({ users: z.array(FullUserOutput), nextCursor: z.string().optional() }),
    }),
    adminEvents: requestValidator({
      ...common,
      query: page,
      output: z.object({ events: z.array(z.record(z.string(), z.unknown())), nextCursor: z.string().optional() }),
    }),
  };
}

export type DemoValidators = ReturnType<typeof demoValidators>;
