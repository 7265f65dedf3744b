export {
  CODE_REDEEM_SCRIPT,
  CODE_REUSED_SCRIPT,
  CODE_SAVE_SCRIPT,
  type RedisAuthorizationCodeStoreOptions,
  redisAuthorizationCodeStore,
} from './codes/index.js';
export {
  KEYRING_CREATE_SCRIPT,
  KEYRING_LOAD_SCRIPT,
  type RedisKeyringStoreOptions,
  redisKeyringStore,
} from './keyring/index.js';
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
