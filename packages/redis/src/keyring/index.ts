export { KEYRING_CREATE_SCRIPT, KEYRING_LOAD_SCRIPT } from './lua.js';
export { type RedisKeyringStoreOptions, redisKeyringStore } from './store.js';
