/**
 * The usage and lifecycle events of API keys (`onKeyEvent`): an audit trail, not security
 * alerts (a refused key is core's `auth.failed`). They carry the key id and its owner,
 * never the key, its secret or its digest.
 */
interface ApiKeyEventBase {
  /** Epoch ms, from the manager's clock. */
  readonly at: number;
  readonly keyId: string;
  readonly ownerId: string;
}

/** A key authenticated a request (every successful verify, cache hits included). */
export interface ApiKeyUsedEvent extends ApiKeyEventBase {
  readonly type: 'apikey.used';
}

export interface ApiKeyCreatedEvent extends ApiKeyEventBase {
  readonly type: 'apikey.created';
}

export interface ApiKeyRevokedEvent extends ApiKeyEventBase {
  readonly type: 'apikey.revoked';
}

export interface ApiKeyRotatedEvent extends ApiKeyEventBase {
  readonly type: 'apikey.rotated';
  /** The new key. */
  readonly replacedBy: string;
  /** When the old key stops working (epoch ms). */
  readonly endsAt: number;
}

export type ApiKeyEvent = ApiKeyUsedEvent | ApiKeyCreatedEvent | ApiKeyRevokedEvent | ApiKeyRotatedEvent;

export function emitKeyEvent(sink: ((event: ApiKeyEvent) => void) | undefined, event: ApiKeyEvent): void {
  if (sink === undefined) return;
  try {
    sink(event);
  } catch {
    // An audit sink's failure never changes an answer.
  }
}
