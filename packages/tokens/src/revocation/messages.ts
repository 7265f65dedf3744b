// The messages of a shared revocation store's channel (Redis pub/sub, PostgreSQL NOTIFY):
// the store announces each revocation with its sequence number, and each instance's
// heartbeats with the number as of when they were sent.

export interface RevocationMessage {
  readonly type: 'revocation';
  readonly seq: number;
  readonly kind: 'jti' | 'sid';
  readonly until: number;
  readonly id: string;
}

export interface HeartbeatMessage {
  readonly type: 'heartbeat';
  readonly seq: number;
  readonly token: string;
}

const REVOCATION = /^r (\d{1,16}) ([js]) (\d{1,16}) /;
const HEARTBEAT = /^h (\d{1,16}) (\S{1,64})$/;

/** "r <seq> <j|s> <until> <id>": the id is the rest, whatever it holds (spaces, line breaks). */
export function formatRevocationMessage(seq: number, kind: 'jti' | 'sid', until: number, id: string): string {
  return `r ${seq} ${kind === 'jti' ? 'j' : 's'} ${until} ${id}`;
}

export function formatHeartbeatMessage(seq: number, token: string): string {
  return `h ${seq} ${token}`;
}

/** A channel message, or undefined for one that is neither (it is ignored). */
export function parseRevocationMessage(message: string): RevocationMessage | HeartbeatMessage | undefined {
  const revocation = REVOCATION.exec(message);
  if (revocation !== null) {
    const id = message.slice(revocation[0].length);
    if (id.length === 0) return undefined;
    return {
      type: 'revocation',
      seq: Number(revocation[1]),
      kind: revocation[2] === 'j' ? 'jti' : 'sid',
      until: Number(revocation[3]),
      id,
    };
  }
  const heartbeat = HEARTBEAT.exec(message);
  if (heartbeat !== null) return { type: 'heartbeat', seq: Number(heartbeat[1]), token: heartbeat[2] as string };
  return undefined;
}
