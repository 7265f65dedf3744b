/**
 * The refresh-token storage port (issue #16). Every operation is one atomic step on the
 * store (memory: synchronous code between awaits; Redis: one Lua script, one round trip;
 * PostgreSQL: one statement or transaction), and every time it compares (expiry, idle
 * lifetime, the grace window) is the store's own clock (Redis `TIME`, PostgreSQL `now()`),
 * never the calling process's.
 *
 * The store never sees a token: only `hash` values (base64url of SHA-256 or HMAC-SHA-256
 * of the whole token string) and, for the grace window only, the child token sealed under a
 * key derived from its parent token (useless without the parent, which only the client
 * holds).
 *
 * Co-location: a family id begins with the {@link SUBJECT_TAG_LENGTH}-character tag of its
 * subject (`subjectTag(subject)`), and the operations that span a user's families
 * (`createFamily`'s cap, `revokeSubject`) receive that tag, so a Redis Cluster store can keep
 * all of one user's families in one slot (`{tag}` as the hash tag) and stay atomic.
 */
export interface RefreshTokenStore {
  /**
   * Creates a family with its first token (generation 0) and, in the same atomic step,
   * enforces the per-user cap: when `subject` then has more than `maxFamilies` live
   * families, the oldest (by creation) are revoked until it has `maxFamilies`.
   * A `familyId` that already exists is an error (`BulwarkError('store_conflict')`), never
   * an overwrite.
   *
   * Details the conformance suite checks: "oldest by creation" is the order in which the
   * store created them, ties within one clock millisecond included (a millisecond score
   * alone is not an order); the new family is never among the evicted; only families of
   * this very `subject` count and are evicted (two subjects may share a tag); a revoked or
   * expired family is not live. Each evicted id is reported by exactly one call, however
   * many run at once. `idleExpiresAt` is `min(now + idle, absoluteExpiresAt)`.
   */
  createFamily(input: CreateFamilyInput): Promise<CreateFamilyResult>;

  /**
   * Presents the token whose hash is `presentedHash` in family `familyId`:
   * - the family is unknown (or was never created): `invalid` / `unknown`;
   * - the family is revoked: `invalid` / `revoked`;
   * - past its absolute or idle expiry: `invalid` / `expired`;
   * - `presentedHash` is the live token: it is spent and `childHash` becomes the live token
   *   (generation + 1); the idle expiry moves to now + idle (never past the absolute one);
   *   `sealedChild` is kept with the spent parent for `graceMs` only. Answer `rotated`;
   * - `presentedHash` is the immediately previous token (the parent of the live one), the
   *   live one has not been rotated since, and now - spentAt <= `graceMs` (graceMs > 0):
   *   nothing changes; answer `grace` with the `sealedChild` stored at that rotation;
   * - `presentedHash` is any other spent token of this family (an older one, or the previous
   *   one outside its window): the family is revoked; answer `reused`;
   * - a hash this family never issued (a forgery that knows the family id, which is also
   *   the access tokens' `sid`): `invalid` / `unknown`, and nothing changes: a guess must
   *   not be able to revoke someone's session.
   *
   * The checks run in that order (an unknown family, then revoked, then expired, then the
   * hash). A family is expired once `now >= absoluteExpiresAt` or `now >= idleExpiresAt`
   * (the instant itself is past). The grace window is the `graceMs` of the rotation that
   * spent the token (stored with it), and it holds while `now - spentAt <= graceMs`.
   * A hash is only ever looked up within its own family: a token of another family
   * presented with this family's id is `unknown`.
   */
  rotate(input: RotateInput): Promise<RotateResult>;

  /** Revokes one family (logout). `false` when it was unknown or already revoked. Its spent hashes and sealed child may be dropped: every later `rotate` answers `revoked` (or `unknown` once the store has reclaimed it). */
  revokeFamily(familyId: string): Promise<boolean>;

  /** Revokes every live family of `subject` (after a password change); returns their ids, oldest first (only this subject's, even when another subject shares its tag). */
  revokeSubject(subject: string, subjectTag: string): Promise<readonly string[]>;

  /**
   * What the store knows of a family (tests, admin views); `undefined` when unknown (or
   * reclaimed once it ended). `status` follows `rotate`'s rules at the store's now:
   * `revoked` first, then `expired`, else `live`.
   */
  getFamily(familyId: string): Promise<RefreshFamilyState | undefined>;
}

/** The length of the subject tag that starts every family id. */
export const SUBJECT_TAG_LENGTH = 8;

export interface CreateFamilyInput {
  readonly familyId: string;
  readonly subject: string;
  readonly subjectTag: string;
  readonly clientId: string;
  readonly scopes: readonly string[];
  /** The hash of the family's first token. */
  readonly tokenHash: string;
  readonly absoluteLifetimeMs: number;
  readonly idleLifetimeMs: number;
  /** The per-user cap on live families (>= 1). */
  readonly maxFamilies: number;
}

export interface CreateFamilyResult {
  /** The store's clock at creation (epoch ms). */
  readonly now: number;
  readonly absoluteExpiresAt: number;
  readonly idleExpiresAt: number;
  /** Families of the same subject revoked by the cap, oldest first. */
  readonly evicted: readonly string[];
}

export interface RotateInput {
  readonly familyId: string;
  readonly presentedHash: string;
  /** The hash of the child that becomes live if `presentedHash` is. */
  readonly childHash: string;
  /** The child token sealed under a key derived from the presented token (opaque to the store; `''` when `graceMs` is 0). */
  readonly sealedChild: string;
  /** 0 turns the grace window off. */
  readonly graceMs: number;
  readonly idleLifetimeMs: number;
}

/** The family's identity, as every rotate answer reports it. */
export interface RefreshFamilyInfo {
  readonly familyId: string;
  readonly subject: string;
  readonly clientId: string;
  readonly scopes: readonly string[];
}

export type RotateResult =
  | {
      readonly outcome: 'rotated';
      readonly family: RefreshFamilyInfo;
      /** The child's generation. */
      readonly generation: number;
      readonly now: number;
      readonly idleExpiresAt: number;
      readonly absoluteExpiresAt: number;
    }
  | {
      readonly outcome: 'grace';
      readonly family: RefreshFamilyInfo;
      /** The live child's generation (the one the first answer issued). */
      readonly generation: number;
      /** Exactly the `sealedChild` given to the rotation that spent the presented token. */
      readonly sealedChild: string;
      readonly now: number;
      /** The family's expiries (unchanged by a grace answer): the retried answer reports the same ones. */
      readonly idleExpiresAt: number;
      readonly absoluteExpiresAt: number;
    }
  | {
      readonly outcome: 'reused';
      readonly family: RefreshFamilyInfo;
      /** The generation of the spent token presented. */
      readonly presentedGeneration: number;
      readonly now: number;
    }
  | { readonly outcome: 'invalid'; readonly reason: 'unknown' | 'revoked' | 'expired'; readonly now: number };

export interface RefreshFamilyState extends RefreshFamilyInfo {
  readonly status: 'live' | 'revoked' | 'expired';
  /** The live token's generation. */
  readonly generation: number;
  readonly createdAt: number;
  readonly absoluteExpiresAt: number;
  readonly idleExpiresAt: number;
}
