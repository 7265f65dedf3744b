import { type EventSink, emitEvent, type RevocationStoreFailureEvent } from '@bulwark/core';
import type { RevocationTarget } from '../revocation.js';
import { RevocationListeners } from './listeners.js';
import type { HeartbeatMessage, RevocationMessage } from './messages.js';
import { RevocationTable } from './table.js';

/** A snapshot of the store: its sequence number, and its live entries when they fit the view. */
export interface RevocationSnapshot {
  readonly seq: number;
  readonly count: number;
  readonly entries: ReadonlyArray<readonly ['jti' | 'sid', string, number]> | undefined;
}

export interface SharedRevocationViewOptions {
  /** The store's name in events (`redis`, `postgres`). */
  readonly store: string;
  readonly maxEntries: number;
  readonly maxStaleness: number;
  readonly failurePolicy: 'closed' | 'open';
  readonly onEvent: EventSink | undefined;
  /** Takes a snapshot (rejects when the backend fails). */
  readonly snapshot: () => Promise<RevocationSnapshot>;
  /** A monotonic clock (ms) for freshness: never the injected or wall clock, which may jump. */
  readonly monotonic: () => number;
}

/**
 * For store implementations (Redis, PostgreSQL, a third party's) with a notification channel.
 * A process's view of a shared revocation store: every revocation it has heard of, and
 * whether it has heard of all of them. The second part is what makes a synchronous "not
 * revoked" safe, and it is earned, never assumed:
 *
 * - Revocations are numbered by the store (one counter, incremented in the same atomic
 *   step as the write and its announcement), so a message that skips a number, or a
 *   counter that went back (the store was flushed), shows the view has missed some.
 * - The view is *fresh until* a time: a heartbeat the instance sent at `t` through the
 *   store, answered on its subscriber with the counter's value then, proves every
 *   revocation made before `t` has arrived (the channel delivers in order), so the view may
 *   answer "not revoked" until `t + maxStaleness`. A snapshot taken at `t` proves the same.
 *   Heartbeats go every `maxStaleness / 2`, so a healthy channel stays fresh.
 * - A silent or broken channel stops earning freshness; after at most `maxStaleness` from
 *   the last proof, answers not in the view ask the store. A gap or a lost connection
 *   withdraws freshness at once and rebuilds the view from a snapshot.
 * - The view is bounded (`maxEntries`); when a revocation does not fit, the view stops
 *   vouching for misses (they ask the store) until a snapshot fits again.
 */
export class SharedRevocationView {
  readonly table: RevocationTable;
  readonly listeners = new RevocationListeners();
  readonly #options: SharedRevocationViewOptions;
  /** The last revocation number applied in order; undefined until a snapshot sets it. */
  #lastSeq: number | undefined;
  #freshUntil = 0;
  /** When the last snapshot was sent: heartbeats sent before it prove nothing new. */
  #syncedAt = Number.NEGATIVE_INFINITY;
  #lastHeard: number;
  #overflow = false;
  #resyncing: Promise<void> | undefined;
  #resyncAgain = false;
  /** Revocation numbers heard while a snapshot is in flight. */
  #heardDuringSnapshot: number[] | undefined;
  #channelTrusted = false;
  #storeHealthy = true;
  #closed = false;

  constructor(options: SharedRevocationViewOptions) {
    this.#options = options;
    this.#lastHeard = options.monotonic();
    this.table = new RevocationTable(options.maxEntries);
  }

  /** True when a miss in the view may be answered "not revoked" without asking the store. */
  get vouches(): boolean {
    if (this.#options.monotonic() >= this.#freshUntil) {
      if (this.#channelTrusted) this.#withdraw('channel_stale');
      return false;
    }
    return !this.#overflow;
  }

  /** Since when (monotonic ms) nothing came on the channel (or since it was last subscribed). */
  get lastHeard(): number {
    return this.#lastHeard;
  }

  /** The channel was just subscribed: its silence counts from now. */
  subscribed(): void {
    this.#lastHeard = this.#options.monotonic();
  }

  /** Records a revocation and tells the listeners when it is news. */
  apply(kind: 'jti' | 'sid', id: string, until: number): void {
    const result = this.table.add(kind, id, until, Date.now());
    if (result === 'unchanged' || result === 'expired') return;
    if (result === 'full' && !this.#overflow) {
      this.#overflow = true;
      this.#emit('local_view_full', 'fallback');
    }
    const target: RevocationTarget = Object.freeze({ kind, id, until });
    this.listeners.notify(target);
  }

  onRevocation(message: RevocationMessage): void {
    this.#lastHeard = this.#options.monotonic();
    this.apply(message.kind, message.id, message.until);
    if (this.#heardDuringSnapshot !== undefined) {
      this.#heardDuringSnapshot.push(message.seq);
      return;
    }
    if (this.#lastSeq === undefined) return;
    if (message.seq === this.#lastSeq + 1) {
      this.#lastSeq = message.seq;
      return;
    }
    // A number skipped (a message lost) or gone back (the counter was reset).
    this.#lost();
  }

  onHeartbeat(message: HeartbeatMessage): void {
    const sentAt = Number(message.token);
    if (!Number.isFinite(sentAt)) return;
    this.#lastHeard = this.#options.monotonic();
    if (this.#heardDuringSnapshot !== undefined || sentAt < this.#syncedAt) return;
    if (this.#lastSeq === undefined || this.#overflow) {
      void this.resync();
    } else if (message.seq !== this.#lastSeq) {
      this.#lost();
    } else {
      this.#trust(sentAt + this.#options.maxStaleness);
    }
  }

  /** The channel's connection dropped: nothing it says is proven until a snapshot. */
  disconnected(): void {
    this.#lastSeq = undefined;
    this.#freshUntil = 0;
    if (this.#channelTrusted) this.#withdraw('channel_stale');
  }

  /** Rebuilds the view from a snapshot (one at a time; a request during one runs another after it). */
  resync(): Promise<void> {
    if (this.#resyncing !== undefined) {
      this.#resyncAgain = true;
      return this.#resyncing;
    }
    this.#resyncing = this.#resyncLoop().finally(() => {
      this.#resyncing = undefined;
    });
    return this.#resyncing;
  }

  async #resyncLoop(): Promise<void> {
    do {
      this.#resyncAgain = false;
      this.#heardDuringSnapshot = [];
      const sentAt = this.#options.monotonic();
      try {
        const snapshot = await this.#options.snapshot();
        this.storeAnswered();
        if (snapshot.entries === undefined) {
          if (!this.#overflow) {
            this.#overflow = true;
            this.#emit('local_view_full', 'fallback');
          }
        } else {
          this.table.sweep(Date.now());
          this.#overflow = false;
          for (const [kind, id, until] of snapshot.entries) this.apply(kind, id, until);
        }
        let last = snapshot.seq;
        for (const seq of this.#heardDuringSnapshot.sort((a, b) => a - b)) {
          if (seq <= last) continue;
          if (seq !== last + 1) {
            this.#resyncAgain = true;
            break;
          }
          last = seq;
        }
        this.#lastSeq = last;
        this.#syncedAt = sentAt;
        if (!this.#resyncAgain) this.#trust(sentAt + this.#options.maxStaleness);
      } catch (error) {
        this.storeFailed(error);
        // The next heartbeat (or tick) tries again.
        this.#lastSeq = undefined;
        this.#resyncAgain = false;
      } finally {
        this.#heardDuringSnapshot = undefined;
      }
    } while (this.#resyncAgain && !this.#closed);
  }

  /** Whether a resync is due: never synced, or over its bound and nothing syncing. */
  get needsSync(): boolean {
    return this.#resyncing === undefined && (this.#lastSeq === undefined || this.#overflow);
  }

  storeAnswered(): void {
    this.#storeHealthy = true;
  }

  storeFailed(error: unknown): void {
    if (!this.#storeHealthy) return;
    this.#storeHealthy = false;
    const mode = this.#options.failurePolicy === 'closed' ? 'fail-closed' : 'fail-open';
    this.#emit('store_error', mode, error instanceof Error ? error.name : 'Error');
  }

  close(): void {
    this.#closed = true;
    this.#freshUntil = 0;
  }

  #lost(): void {
    this.#freshUntil = 0;
    this.#withdraw('message_lost');
    void this.resync();
  }

  #trust(until: number): void {
    if (this.#closed) return;
    if (until > this.#freshUntil) this.#freshUntil = until;
    if (this.#options.monotonic() < this.#freshUntil) this.#channelTrusted = true;
  }

  #withdraw(reason: 'channel_stale' | 'message_lost'): void {
    if (!this.#channelTrusted) return;
    this.#channelTrusted = false;
    this.#emit(reason, 'fallback');
  }

  #emit(reason: RevocationStoreFailureEvent['reason'], mode: RevocationStoreFailureEvent['mode'], errorName?: string) {
    const event: RevocationStoreFailureEvent = {
      type: 'revocation.store_failure',
      at: Date.now(),
      store: this.#options.store,
      reason,
      mode,
      ...(errorName === undefined ? {} : { errorName }),
    };
    emitEvent(this.#options.onEvent, event);
  }
}
