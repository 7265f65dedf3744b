export {
  KEYRING_CREATE_SCRIPT,
  KEYRING_LOAD_SCRIPT,
  type RedisKeyringStoreOptions,
  redisKeyringStore,
} from './keyring/index.js';
export {
  CLEAR_SCRIPT as LOCKOUT_CLEAR_SCRIPT,
  INSPECT_SCRIPT as LOCKOUT_INSPECT_SCRIPT,
  type LockoutKeys,
  lockoutKeys,
  REFUND_SCRIPT as LOCKOUT_REFUND_SCRIPT,
  RESERVE_SCRIPT as LOCKOUT_RESERVE_SCRIPT,
  type RedisLockoutStoreOptions,
  redisLockoutStore,
} from './lockout/index.js';
export { CHECK_SCRIPTS, REFUND_SCRIPT } from './lua.js';
export {
  HEARTBEAT_SCRIPT as REVOCATION_HEARTBEAT_SCRIPT,
  REVOKE_SCRIPT as REVOCATION_REVOKE_SCRIPT,
  type RedisRevocationStore,
  type RedisRevocationStoreOptions,
  redisRevocationStore,
  SNAPSHOT_SCRIPT as REVOCATION_SNAPSHOT_SCRIPT,
} from './revocation/index.js';
export { type RedisStoreOptions, redisRateLimitStore } from './store.js';
