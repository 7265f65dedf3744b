export {
  KEYRING_CREATE_SCRIPT,
  KEYRING_LOAD_SCRIPT,
  type RedisKeyringStoreOptions,
  redisKeyringStore,
} from './keyring/index.js';
export { CHECK_SCRIPTS, REFUND_SCRIPT } from './lua.js';
export { type RedisStoreOptions, redisRateLimitStore } from './store.js';
