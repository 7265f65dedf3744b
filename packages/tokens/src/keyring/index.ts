export { SIGNING_ALGORITHMS } from './algorithms.js';
export type { PrivateJwkSet } from './initial-keys.js';
export { type KeyringOptions, keyring } from './keyring.js';
export type { Keyring, KeyStatus } from './keyring-types.js';
export type { KeyState } from './schedule.js';
export {
  type KeyringCreateOptions,
  type KeyringRecord,
  type KeyringSnapshot,
  type KeyringStore,
  type MemoryKeyringStoreOptions,
  memoryKeyringStore,
  type NewKeyringRecord,
} from './store.js';
