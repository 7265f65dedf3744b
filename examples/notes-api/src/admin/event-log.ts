import type { EventSink, SecurityEvent } from '@bulwark/core';

/**
 * The latest security events, for `GET /admin/events`: a bounded ring (the oldest event
 * makes room), so a flood of refusals cannot grow the process.
 */
export class EventLog {
  readonly #events: SecurityEvent[] = [];
  #start = 0;

  constructor(private readonly capacity = 1000) {}

  /** A sink that records every event, then hands it on to `next` (stderr, in the demo). */
  sink(next?: EventSink): EventSink {
    return (event) => {
      this.record(event);
      next?.(event);
    };
  }

  record(event: SecurityEvent): void {
    if (this.#events.length < this.capacity) this.#events.push(event);
    else {
      this.#events[this.#start] = event;
      this.#start = (this.#start + 1) % this.capacity;
    }
  }

  /** The `limit` latest events, newest first. */
  latest(limit: number): SecurityEvent[] {
    const out: SecurityEvent[] = [];
    const n = this.#events.length;
    for (let i = 0; i < Math.min(limit, n); i++) {
      out.push(this.#events[(this.#start + n - 1 - i) % n] as SecurityEvent);
    }
    return out;
  }
}
