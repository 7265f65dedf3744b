import type { RefreshFamilyInfo, RefreshFamilyState, RotateInput, RotateResult } from './port.js';

/** The token spent by the last rotation, with what a retry inside its grace window gets back. */
interface GraceEntry {
  readonly hash: string;
  readonly sealedChild: string;
  readonly spentAt: number;
  readonly graceMs: number;
}

/**
 * One family in the memory store: its identity, lifetimes, the live token's hash and the
 * hashes it has spent (each with its generation, for the reuse answer). Revocation drops
 * the spent hashes and the sealed child: every later presentation answers `revoked`.
 */
export class MemoryFamily {
  readonly info: RefreshFamilyInfo;
  readonly subjectTag: string;
  readonly createdAt: number;
  readonly absoluteExpiresAt: number;
  idleExpiresAt: number;
  revoked = false;
  generation = 0;
  #liveHash: string;
  #spent = new Map<string, number>();
  #grace: GraceEntry | undefined;

  constructor(
    info: RefreshFamilyInfo,
    subjectTag: string,
    tokenHash: string,
    now: number,
    absoluteMs: number,
    idleMs: number,
  ) {
    this.info = info;
    this.subjectTag = subjectTag;
    this.#liveHash = tokenHash;
    this.createdAt = now;
    this.absoluteExpiresAt = now + absoluteMs;
    this.idleExpiresAt = Math.min(now + idleMs, this.absoluteExpiresAt);
  }

  /** The instant from which the family is over (expired), whatever happens to it. */
  get endsAt(): number {
    return Math.min(this.idleExpiresAt, this.absoluteExpiresAt);
  }

  isLive(now: number): boolean {
    return !this.revoked && now < this.endsAt;
  }

  revoke(): void {
    this.revoked = true;
    this.#spent.clear();
    this.#grace = undefined;
  }

  state(now: number): RefreshFamilyState {
    return {
      ...this.info,
      status: this.revoked ? 'revoked' : now < this.endsAt ? 'live' : 'expired',
      generation: this.generation,
      createdAt: this.createdAt,
      absoluteExpiresAt: this.absoluteExpiresAt,
      idleExpiresAt: this.idleExpiresAt,
    };
  }

  /** The port's `rotate` rules, in their order, at `now` (the store's clock). */
  rotate(input: RotateInput, now: number): RotateResult {
    if (this.revoked) return { outcome: 'invalid', reason: 'revoked', now };
    if (now >= this.endsAt) return { outcome: 'invalid', reason: 'expired', now };
    const family = this.info;
    if (input.presentedHash === this.#liveHash) {
      this.#spent.set(this.#liveHash, this.generation);
      this.#grace =
        input.graceMs > 0
          ? { hash: this.#liveHash, sealedChild: input.sealedChild, spentAt: now, graceMs: input.graceMs }
          : undefined;
      this.#liveHash = input.childHash;
      this.generation += 1;
      this.idleExpiresAt = Math.min(now + input.idleLifetimeMs, this.absoluteExpiresAt);
      const { generation, idleExpiresAt, absoluteExpiresAt } = this;
      return { outcome: 'rotated', family, generation, now, idleExpiresAt, absoluteExpiresAt };
    }
    const grace = this.#grace;
    if (grace !== undefined && now - grace.spentAt > grace.graceMs) this.#grace = undefined;
    if (grace !== undefined && grace.hash === input.presentedHash && now - grace.spentAt <= grace.graceMs) {
      const { generation, idleExpiresAt, absoluteExpiresAt } = this;
      return {
        outcome: 'grace',
        family,
        generation,
        sealedChild: grace.sealedChild,
        now,
        idleExpiresAt,
        absoluteExpiresAt,
      };
    }
    const presentedGeneration = this.#spent.get(input.presentedHash);
    if (presentedGeneration === undefined) return { outcome: 'invalid', reason: 'unknown', now };
    this.revoke();
    return { outcome: 'reused', family, presentedGeneration, now };
  }
}
