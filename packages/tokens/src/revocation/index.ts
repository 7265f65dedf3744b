export { RevocationListeners } from './listeners.js';
export {
  clockOption,
  type MemoryRevocationStore,
  type MemoryRevocationStoreOptions,
  memoryRevocationStore,
  RevocationStoreFullError,
} from './memory-store.js';
export {
  formatHeartbeatMessage,
  formatRevocationMessage,
  type HeartbeatMessage,
  parseRevocationMessage,
  type RevocationMessage,
} from './messages.js';
export { type RevocationSnapshot, SharedRevocationView, type SharedRevocationViewOptions } from './shared-view.js';
export { type RevocationAddResult, RevocationTable } from './table.js';
export { checkRevocationTarget, MAX_REVOCATION_ID_LENGTH } from './target.js';
