// The channel messages moved to @bulwark/tokens (the PostgreSQL store shares them).
export {
  formatHeartbeatMessage as formatHeartbeat,
  formatRevocationMessage as formatRevocation,
  type HeartbeatMessage,
  parseRevocationMessage as parseMessage,
  type RevocationMessage,
} from '@bulwark/tokens';
