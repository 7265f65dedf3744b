export {
  CREATE_SCRIPT as API_KEY_CREATE_SCRIPT,
  CREDITS_SCRIPT as API_KEY_CREDITS_SCRIPT,
  LIST_SCRIPT as API_KEY_LIST_SCRIPT,
  REVOKE_SCRIPT as API_KEY_REVOKE_SCRIPT,
  type RedisApiKeyStoreOptions,
  ROTATE_SCRIPT as API_KEY_ROTATE_SCRIPT,
  redisApiKeyStore,
  TOUCH_SCRIPT as API_KEY_TOUCH_SCRIPT,
} from './api-keys/index.js';
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
  REFRESH_CREATE_FAMILY_SCRIPT,
  REFRESH_GET_FAMILY_SCRIPT,
  REFRESH_REVOKE_FAMILY_SCRIPT,
  REFRESH_REVOKE_SUBJECT_SCRIPT,
  REFRESH_ROTATE_SCRIPT,
  type RedisRefreshTokenStoreOptions,
  redisRefreshTokenStore,
} from './refresh/index.js';
export {
  HEARTBEAT_SCRIPT as REVOCATION_HEARTBEAT_SCRIPT,
  REVOKE_SCRIPT as REVOCATION_REVOKE_SCRIPT,
  type RedisRevocationStore,
  type RedisRevocationStoreOptions,
  redisRevocationStore,
  SNAPSHOT_SCRIPT as REVOCATION_SNAPSHOT_SCRIPT,
} from './revocation/index.js';
export { type RedisStoreOptions, redisRateLimitStore } from './store.js';
