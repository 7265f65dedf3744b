/** What is revoked: one access token by its `jti`, or a whole session by its `sid`. */
export interface RevocationTarget {
  readonly kind: 'jti' | 'sid';
  readonly id: string;
  /**
   * Epoch milliseconds until which the revocation must hold: the latest expiry of what it
   * revokes. Entries are dropped after it (the tokens are expired anyway).
   */
  readonly until: number;
}

/**
 * The revocation port. Memory keeps a bounded local map; Redis keeps entries with a TTL of
 * the remaining life and announces each revocation on a channel, so every process's local
 * view and verified-token cache drop a revoked token at once.
 */
export interface RevocationStore {
  revoke(target: RevocationTarget): Promise<void>;
  /**
   * Whether a token with this `jti` (and session `sid`) is revoked at `now`. Synchronous
   * when the local view is known to be fresh (memory; Redis with its channel healthy); a
   * Promise when it must ask the store.
   */
  isRevoked(jti: string, sid: string | undefined, now: number): boolean | Promise<boolean>;
  /** Calls `listener` for each revocation made anywhere (this process or another); returns an unsubscribe function. */
  subscribe?(listener: (target: RevocationTarget) => void): () => void;
}
