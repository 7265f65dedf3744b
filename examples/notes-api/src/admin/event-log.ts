import type { ApiKeyEvent } from '@bulwark/api-keys';
import { type EventSink, maskIp, type SecurityEvent } from '@bulwark/core';

/** What the admin log holds: the security events, and the API keys' lifecycle (an audit trail). */
export type LoggedEvent = SecurityEvent | ApiKeyEvent;

/**
 * The latest security events, for `GET /admin/events`: a bounded ring (the oldest event
 * makes room), so a flood of refusals cannot grow the process.
 */
export class EventLog {
  readonly #events: LoggedEvent[] = [];
  #start = 0;
  #total = 0;

  constructor(private readonly capacity = 1000) {}

  /** A sink that records every event, then hands it on to `next` (stderr, in the demo). */
  sink(next?: EventSink): EventSink {
    return (event) => {
      this.record(event);
      next?.(event);
    };
  }

  /**
   * Keeps the event with its client IP masked as the ECS lines on stderr mask it (`/24`,
   * IPv6 `/48`): an admin reading the log needs the network, not the address (DESIGN.md:
   * identifiers in events minimised). Account identifiers are already tags.
   */
  record(event: LoggedEvent): void {
    const ip = (event as { clientIp?: unknown }).clientIp;
    if (typeof ip === 'string') event = { ...event, clientIp: maskIp(ip) } as LoggedEvent;
    this.#total++;
    if (this.#events.length < this.capacity) this.#events.push(event);
    else {
      this.#events[this.#start] = event;
      this.#start = (this.#start + 1) % this.capacity;
    }
  }

  /** How many events were ever recorded: the sequence number (1-based) of the latest. */
  get total(): number {
    return this.#total;
  }

  /**
   * Up to `limit` events older than sequence number `before` (default: all), newest first,
   * and whether older ones are still held (the ring forgets the oldest).
   */
  page(limit: number, before = this.#total + 1): { events: LoggedEvent[]; more: boolean; last: number } {
    const n = this.#events.length;
    const oldest = this.#total - n + 1;
    const out: LoggedEvent[] = [];
    let seq = Math.min(before - 1, this.#total);
    for (; seq >= oldest && out.length < limit; seq--) {
      // Sequence `seq` sits (total - seq) places behind the newest slot.
      out.push(this.#events[(this.#start + n - 1 - (this.#total - seq)) % n] as LoggedEvent);
    }
    return { events: out, more: seq >= oldest, last: seq + 1 };
  }
}
