import type { ApiKeyInvalidations } from './port.js';

// The invalidation channel of a store shared by several processes (Redis pub/sub,
// PostgreSQL LISTEN/NOTIFY): its messages and what a process may conclude from them.

const INVALIDATION = /^i (\d{1,16}) /;
const HEARTBEAT = /^h (\d{1,16}) (\S{1,64})$/;

/** A channel message: an invalidation ("i <seq> <id>", the id is the rest) or a heartbeat ("h <seq> <token>"). */
export function parseFeedMessage(
  message: string,
): { type: 'invalidation'; seq: number; id: string } | { type: 'heartbeat'; seq: number; token: string } | undefined {
  const invalidation = INVALIDATION.exec(message);
  if (invalidation !== null) {
    const id = message.slice(invalidation[0].length);
    return id === '' ? undefined : { type: 'invalidation', seq: Number(invalidation[1]), id };
  }
  const heartbeat = HEARTBEAT.exec(message);
  return heartbeat === null
    ? undefined
    : { type: 'heartbeat', seq: Number(heartbeat[1]), token: heartbeat[2] as string };
}

/**
 * For store implementations with a notification channel (Redis, PostgreSQL, a third
 * party's). A process's view of the store's invalidations, and whether it has heard all of them —
 * the revocation stores' approach (`SharedRevocationView` in @bulwark/tokens), with no table to keep: the verified-
 * key cache holds the state, so a gap only has to empty it.
 *
 * - Invalidations are numbered by the store in the same atomic step as the change they
 *   announce. A number that skips or goes back means messages were lost (or the store was
 *   flushed): every cached key is forgotten, which is sound whatever was missed.
 * - Trust is earned: a heartbeat sent at `t` through the store and answered on this
 *   instance's channel with the counter's value then proves every invalidation made before
 *   `t` has arrived (one node publishes both, in order), so the cache may answer until
 *   `t + maxStaleness`. Heartbeats go every `maxStaleness / 2`.
 * - A silent or broken channel stops earning trust: within `maxStaleness` of the last
 *   proof, the cache stops answering and every verify reads the store (fail closed: a failed
 *   read refuses the key). A lost connection forgets every cached key at once.
 */
export class InvalidationFeed implements ApiKeyInvalidations {
  readonly #listeners = new Set<(id: string | undefined) => void>();
  readonly #maxStaleness: number;
  readonly #monotonic: () => number;
  #lastSeq: number | undefined;
  #freshUntil = 0;
  #subscribedAt = Number.POSITIVE_INFINITY;
  #lastHeard: number;
  #closed = false;

  constructor(maxStaleness: number, monotonic: () => number) {
    this.#maxStaleness = maxStaleness;
    this.#monotonic = monotonic;
    this.#lastHeard = monotonic();
  }

  get trusted(): boolean {
    return !this.#closed && this.#monotonic() < this.#freshUntil;
  }

  get lastHeard(): number {
    return this.#lastHeard;
  }

  subscribe(listener: (id: string | undefined) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Tells every listener (a listener that throws does not stop the others). */
  notify(id: string | undefined): void {
    for (const listener of this.#listeners) {
      try {
        listener(id);
      } catch {
        // A cache's failure must not keep a revocation from the others.
      }
    }
  }

  /** The channel was just subscribed: heartbeats sent before now prove nothing. */
  subscribed(): void {
    this.#subscribedAt = this.#monotonic();
    this.#lastHeard = this.#subscribedAt;
  }

  onMessage(message: string, ownHeartbeats: boolean): void {
    const parsed = parseFeedMessage(message);
    if (parsed === undefined) return;
    this.#lastHeard = this.#monotonic();
    if (parsed.type === 'invalidation') {
      if (ownHeartbeats) return;
      this.notify(parsed.id);
      if (this.#lastSeq !== undefined && parsed.seq !== this.#lastSeq + 1) this.notify(undefined);
      if (this.#lastSeq !== undefined) this.#lastSeq = parsed.seq;
      return;
    }
    if (!ownHeartbeats) return;
    const sentAt = Number(parsed.token);
    if (!Number.isFinite(sentAt) || sentAt < this.#subscribedAt) return;
    // Unknown until now, or numbers were missed: forget every cached key, then trust.
    if (this.#lastSeq !== parsed.seq) this.notify(undefined);
    this.#lastSeq = parsed.seq;
    if (sentAt + this.#maxStaleness > this.#freshUntil) this.#freshUntil = sentAt + this.#maxStaleness;
  }

  /** The channel's connection dropped: nothing is proven until a heartbeat of a new subscription. */
  disconnected(): void {
    this.#lastSeq = undefined;
    this.#freshUntil = 0;
    this.#subscribedAt = Number.POSITIVE_INFINITY;
    this.notify(undefined);
  }

  close(): void {
    this.#closed = true;
    this.#freshUntil = 0;
    this.notify(undefined);
  }
}
