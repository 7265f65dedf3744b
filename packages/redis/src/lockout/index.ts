export { type LockoutKeys, lockoutKeys } from './keys.js';
export { CLEAR_SCRIPT, INSPECT_SCRIPT, REFUND_SCRIPT, RESERVE_SCRIPT } from './lua.js';
export { type RedisLockoutStoreOptions, redisLockoutStore } from './store.js';
