// Heartbeats on a store's shared channel: "h <seq> <instance> <token>". Every instance of a
// schema listens on the one channel; an instance takes only its own heartbeats as proof
// (the token is its monotonic clock when it sent the heartbeat).

const HEARTBEAT = /^h (\d{1,16}) ([0-9a-f-]{36}) (\S{1,64})$/;

export interface OwnHeartbeat {
  readonly seq: number;
  readonly token: string;
}

/** A new instance id (a UUID: the channel's heartbeats name it). */
export function newInstance(): string {
  return globalThis.crypto.randomUUID();
}

/**
 * The heartbeat of `instance` in `payload`, or undefined: another instance's, not a
 * heartbeat, or one claiming to be sent later than `now` (the sender's monotonic clock).
 * Any role of the database may NOTIFY on the channel; a forged heartbeat from the future
 * would otherwise stretch the trust it earns.
 */
export function ownHeartbeat(payload: string, instance: string, now: number): OwnHeartbeat | undefined {
  const match = HEARTBEAT.exec(payload);
  if (match === null || match[2] !== instance) return undefined;
  const sentAt = Number(match[3]);
  if (!Number.isFinite(sentAt) || sentAt > now) return undefined;
  return { seq: Number(match[1]), token: match[3] as string };
}

/** What the heartbeat statement sends after "h <seq> ". */
export function heartbeatTail(instance: string, token: string): string {
  return instance.concat(' ', token);
}
