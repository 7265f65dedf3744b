export { CODE_REDEEM_SCRIPT, CODE_REUSED_SCRIPT, CODE_SAVE_SCRIPT } from './lua.js';
export { type RedisAuthorizationCodeStoreOptions, redisAuthorizationCodeStore } from './store.js';
