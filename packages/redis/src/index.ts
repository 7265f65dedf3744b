export { CHECK_SCRIPTS, REFUND_SCRIPT } from './lua.js';
export { type RedisStoreOptions, redisRateLimitStore } from './store.js';
