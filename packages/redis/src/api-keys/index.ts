export {
  CREATE_SCRIPT,
  CREDITS_SCRIPT,
  LIST_SCRIPT,
  REVOKE_SCRIPT,
  ROTATE_SCRIPT,
  TOUCH_SCRIPT,
} from './lua.js';
export { type RedisApiKeyStoreOptions, redisApiKeyStore } from './store.js';
