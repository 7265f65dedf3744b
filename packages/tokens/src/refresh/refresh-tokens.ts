import { BulwarkError, emitEvent } from '@bulwark/core';
import { isFamilyId, newRefreshFamilyId, newRefreshToken, parseRefreshToken, subjectTag } from './format.js';
import { tokenHasher } from './hashing.js';
import { resolveRefreshOptions } from './options.js';
import { sealChild, unsealChild } from './seal.js';
import type { IssuedRefreshToken, RefreshOutcome, RefreshTokens, RefreshTokensOptions } from './types.js';

function invalidArgument(what: string): never {
  throw new BulwarkError('invalid_argument', what);
}

function checkIssueInput(input: Parameters<RefreshTokens['issue']>[0]): void {
  if (typeof input?.subject !== 'string' || input.subject === '')
    invalidArgument('issue: subject must be a non-empty string');
  if (typeof input.clientId !== 'string') invalidArgument('issue: clientId must be a string');
  if (!Array.isArray(input.scopes) || input.scopes.some((s) => typeof s !== 'string')) {
    invalidArgument('issue: scopes must be an array of strings');
  }
}

/**
 * Refresh-token rotation with reuse detection (RFC 9700 §4.14.2). Each token is opaque
 * (`bwrt_<familyId>.<secret>`, 256 random bits), stored only as a hash, and belongs to a
 * family (the session; put `familyId` in the access token as `sid`). Using a token spends
 * it and answers its child; presenting a spent token again revokes the whole family, its
 * access tokens too (through `revocations`), and emits `token.reuse_detected`. With a
 * `grace` window the immediately previous token may be retried by a client that lost the
 * answer, and gets the same child back (sealed under the parent token in the store, for
 * the window only). A rotation is exactly one store call; a malformed token none.
 *
 * @example
 * ```ts
 * import { memoryRevocationStore, refreshTokens } from '@bulwark/tokens';
 * const revocations = memoryRevocationStore();
 * const refresh = refreshTokens({
 *   grace: '10s',
 *   revocations: { store: revocations, accessTokenTtl: '15m' },
 *   onEvent: (event) => console.log(event),
 * });
 * const issued = await refresh.issue({ subject: 'user-42', clientId: 'notes-api', scopes: ['notes:read'] });
 * // issued.familyId goes into the access token as `sid`; issued.token to the client.
 * const outcome = await refresh.rotate(issued.token);
 * if (outcome.ok) outcome.refreshToken.token; // the child, to the client
 * else outcome.reason; // 'malformed' | 'unknown' | 'revoked' | 'expired' | 'reused' -> 401 invalid_grant
 * ```
 */
export function refreshTokens(options: RefreshTokensOptions = {}): RefreshTokens {
  const resolved = resolveRefreshOptions(options);
  const { store, prefix, graceMs, idleLifetimeMs, revocations, onEvent, clock } = resolved;
  const hash = tokenHasher(resolved.pepper);

  /** Revokes the access tokens of session `familyId`, for as long as one can still be alive. */
  const revokeSessions = async (familyIds: readonly string[]) => {
    if (revocations === undefined || familyIds.length === 0) return;
    const until = clock.now() + revocations.holdMs;
    await Promise.all(familyIds.map((id) => revocations.store.revoke({ kind: 'sid', id, until })));
  };

  return {
    async issue(input) {
      checkIssueInput(input);
      const tag = subjectTag(input.subject);
      const familyId = input.familyId ?? newRefreshFamilyId(input.subject);
      if (!isFamilyId(familyId) || !familyId.startsWith(tag)) {
        invalidArgument('issue: familyId must come from newFamilyId(subject) for this subject');
      }
      const token = newRefreshToken(prefix, familyId);
      const created = await store.createFamily({
        familyId,
        subject: input.subject,
        subjectTag: tag,
        clientId: input.clientId,
        scopes: [...input.scopes],
        tokenHash: await hash(token),
        absoluteLifetimeMs: resolved.absoluteLifetimeMs,
        idleLifetimeMs,
        maxFamilies: resolved.maxFamiliesPerUser,
      });
      await revokeSessions(created.evicted);
      const { absoluteExpiresAt, idleExpiresAt } = created;
      return { token, familyId, generation: 0, absoluteExpiresAt, idleExpiresAt };
    },

    async rotate(token): Promise<RefreshOutcome> {
      const parsed = parseRefreshToken(token, prefix);
      if (parsed === undefined) return { ok: false, reason: 'malformed' };
      const { familyId } = parsed;
      const child = newRefreshToken(prefix, familyId);
      const [presentedHash, childHash, sealedChild] = await Promise.all([
        hash(token),
        hash(child),
        graceMs > 0 ? sealChild(token, child, familyId) : '',
      ]);
      const result = await store.rotate({ familyId, presentedHash, childHash, sealedChild, graceMs, idleLifetimeMs });
      switch (result.outcome) {
        case 'rotated': {
          const { generation, absoluteExpiresAt, idleExpiresAt } = result;
          const refreshToken: IssuedRefreshToken = {
            token: child,
            familyId,
            generation,
            absoluteExpiresAt,
            idleExpiresAt,
          };
          return { ok: true, kind: 'rotated', refreshToken, family: result.family };
        }
        case 'grace': {
          const first = await unsealChild(token, result.sealedChild, familyId);
          // Only a child of this very family opens with this token; anything else is no answer of ours.
          if (first === undefined || parseRefreshToken(first, prefix)?.familyId !== familyId) {
            return { ok: false, reason: 'unknown' };
          }
          const { generation, absoluteExpiresAt, idleExpiresAt } = result;
          const refreshToken: IssuedRefreshToken = {
            token: first,
            familyId,
            generation,
            absoluteExpiresAt,
            idleExpiresAt,
          };
          return { ok: true, kind: 'grace', refreshToken, family: result.family };
        }
        case 'reused':
          emitEvent(onEvent, {
            type: 'token.reuse_detected',
            at: clock.now(),
            credential: 'refresh_token',
            familyId,
            generation: result.presentedGeneration,
          });
          await revokeSessions([familyId]);
          return { ok: false, reason: 'reused' };
        default:
          return { ok: false, reason: result.reason };
      }
    },

    async revokeFamily(familyId) {
      if (!isFamilyId(familyId)) invalidArgument('revokeFamily: not a refresh family id');
      await store.revokeFamily(familyId);
      // Even when the family was already revoked: a revocation is idempotent, and this one may extend it.
      await revokeSessions([familyId]);
    },

    async revokeSubject(subject) {
      if (typeof subject !== 'string' || subject === '')
        invalidArgument('revokeSubject: subject must be a non-empty string');
      const ids = await store.revokeSubject(subject, subjectTag(subject));
      await revokeSessions(ids);
      return ids;
    },

    newFamilyId(subject) {
      if (typeof subject !== 'string' || subject === '')
        invalidArgument('newFamilyId: subject must be a non-empty string');
      return newRefreshFamilyId(subject);
    },
  };
}
