import { type ApiKeyInfo, type ApiKeys, type CreatedApiKey, KEY_ID_LENGTH } from '@bulwark/api-keys';
import { grantable } from '@bulwark/authz';
import { challenge, deny, type Principal } from '@bulwark/core';
import { REALM } from '../config.js';
import type { Answer } from './notes.js';

/** The longest overlap a rotation grants (the library's `maxOverlap`, 30 days). */
export const MAX_OVERLAP_SECONDS = 30 * 24 * 3600;

/** One answer for a key that is not the caller's and one that does not exist (and one no longer rotatable). */
const NO_KEY = () => deny('not_found', 'No API key of yours has this id.');

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** A key as listings show it: never the secret, never the digest. */
function listed(info: ApiKeyInfo) {
  return {
    id: info.id,
    name: info.name,
    start: info.start,
    scopes: info.scopes,
    created_at: iso(info.createdAt),
    expires_at: iso(info.expiresAt),
    last_used_at: iso(info.lastUsedAt),
    revoked_at: iso(info.revokedAt),
  };
}

/** A key just made: the one answer that carries `key`, shown this once. */
function created(made: CreatedApiKey): Answer {
  return {
    status: 201,
    body: {
      id: made.id,
      name: made.name,
      key: made.key,
      start: made.start,
      scopes: made.scopes,
      created_at: iso(made.createdAt),
      expires_at: iso(made.expiresAt),
    },
  };
}

/**
 * The requested scopes the caller does not hold, as the validator's 422 says it (one
 * `{pointer, detail, in}` per scope): a key never carries more than the credential that
 * made it (DEMO.md: scopes beyond the caller's are 422).
 */
function excessScopes(requested: readonly string[], held: readonly string[]): Answer | undefined {
  const beyond = new Set(grantable(held, requested));
  const errors = requested.flatMap((scope, index) =>
    beyond.has(scope) ? [{ pointer: `/scopes/${index}`, detail: 'Is not one of your scopes.', in: 'body' }] : [],
  );
  return errors.length === 0
    ? undefined
    : deny('validation_failed', 'The request body does not match the schema.', { extensions: { errors } });
}

/**
 * Whether the caller may manage key `id` (revoke or rotate it): 404 unless it is the
 * caller's, 403 `insufficient_scope` when it holds scopes the caller's credential does not
 * (a rotation would hand them over: an escalation; a credential manages keys only within
 * its own scopes), naming the key's scopes as the ones required; `undefined` when it may.
 * A key's scopes never change, so this check races with nothing that follows it.
 */
async function manageable(keys: ApiKeys, caller: Principal, id: string): Promise<Answer | undefined> {
  const key = await keys.get(id);
  if (key === undefined || key.ownerId !== caller.subject) return NO_KEY();
  return grantable(caller.scopes, key.scopes).length === 0 ? undefined : keyBeyondScopes(key.scopes);
}

function keyBeyondScopes(keyScopes: readonly string[]): Answer {
  const scope = keyScopes.join(' ');
  return deny('insufficient_scope', 'This API key holds scopes your credential does not.', {
    headers: [['www-authenticate', challenge('Bearer', { realm: REALM, error: 'insufficient_scope', scope })]],
    extensions: { required_scope: scope },
  });
}

export interface CreateKeyBody {
  readonly name: string;
  readonly scopes?: readonly string[] | undefined;
  readonly expires_in_days?: number | undefined;
}

/**
 * `POST`, `GET /v2/api-keys`, `DELETE /v2/api-keys/:id` and `POST /v2/api-keys/:id/rotate`.
 * Every operation is the caller's own: the owner is the principal's subject (an API key
 * acts as its owner), and another user's key answers as a missing one.
 */
export function apiKeyHandlers(keys: ApiKeys) {
  return {
    create: async (caller: Principal, body: CreateKeyBody): Promise<Answer> => {
      // The caller's scopes are the credential's (a token's or a key's), a subset of the role's.
      const scopes = body.scopes ?? caller.scopes;
      const refused = excessScopes(scopes, caller.scopes);
      if (refused !== undefined) return refused;
      const made = await keys.create({
        ownerId: caller.subject,
        ownerScopes: caller.scopes,
        name: body.name,
        scopes,
        ...(body.expires_in_days === undefined ? {} : { expiresIn: body.expires_in_days * 86_400_000 }),
      });
      return created(made);
    },
    list: async (caller: Principal): Promise<Answer> => ({
      status: 200,
      body: { keys: (await keys.list(caller.subject)).map(listed) },
    }),
    revoke: async (caller: Principal, id: string): Promise<Answer> => {
      const refused = await manageable(keys, caller, id);
      if (refused !== undefined) return refused;
      return (await keys.revoke(id, { ownerId: caller.subject })) ? { status: 204 } : NO_KEY();
    },
    rotate: async (caller: Principal, id: string, body: { overlap_seconds?: number | undefined }): Promise<Answer> => {
      const refused = await manageable(keys, caller, id);
      if (refused !== undefined) return refused;
      // No overlap named: the library's default, one day (DEMO.md's 86400 s).
      const overlap = body.overlap_seconds === undefined ? undefined : body.overlap_seconds * 1000;
      // ownerScopes as well: the library's own refusal to give a narrower credential a broader key.
      const result = await keys.rotate(id, { ownerId: caller.subject, ownerScopes: caller.scopes, overlap });
      if (result.ok) return created(result.key);
      if (result.reason === 'insufficient_scope') return keyBeyondScopes(result.missing);
      // Revoked, expired or already rotated (or gone since): nothing of the caller's to rotate.
      return NO_KEY();
    },
  };
}

export type ApiKeyHandlers = ReturnType<typeof apiKeyHandlers>;

/** A key id as the format has it (16 base62 characters); anything else in the path is a 400. */
export const KEY_ID = new RegExp(`^[0-9A-Za-z]{${KEY_ID_LENGTH}}$`);
