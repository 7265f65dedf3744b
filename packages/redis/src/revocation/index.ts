export { HEARTBEAT_SCRIPT, REVOKE_SCRIPT, SNAPSHOT_SCRIPT } from './lua.js';
export { type RedisRevocationStore, type RedisRevocationStoreOptions, redisRevocationStore } from './store.js';
