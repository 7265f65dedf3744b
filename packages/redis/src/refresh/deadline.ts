/**
 * The deadline of a state-changing call, in Redis's clock. A rotation or a creation that
 * reaches Redis after its caller stopped waiting (Redis stalled, the reply queued behind
 * a slow command) must change nothing: the caller has answered an error, and a late
 * rotation would spend the token the client will retry with (a reuse without a grace
 * window: its family revoked), a late creation would count against the user's cap.
 *
 * The offset Redis-minus-local is learned from each reply's `now` (Redis `TIME`, read at
 * the script's start) against the local monotonic clock at receipt, so it is estimated
 * low (by the reply's travel): a deadline reaches Redis early rather than late. The
 * highest estimate is kept (the least travel); a refusal resets it to its own, so a Redis
 * clock that jumped forward costs one refused call. Until the first reply no deadline is
 * sent.
 */
export class RedisDeadlines {
  #offset: number | undefined;

  /** Local now (ms), monotonic: wall-clock jumps of this host do not move deadlines. */
  local(): number {
    return performance.timeOrigin + performance.now();
  }

  /** The script argument for a call that gives up at local `deadline` ('' before the first reply). */
  argument(deadline: number): string {
    return this.#offset === undefined ? '' : String(Math.floor(deadline + this.#offset));
  }

  /** Learns from a reply's Redis `now`, received just now; `refused` when the script found its deadline past. */
  learn(redisNow: number, refused: boolean): void {
    if (!Number.isFinite(redisNow)) return;
    const sample = redisNow - this.local();
    if (refused || this.#offset === undefined || sample > this.#offset) this.#offset = sample;
  }
}
