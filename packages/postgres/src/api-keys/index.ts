export { API_KEY_STATEMENTS } from './statements.js';
export { type PostgresApiKeyStore, type PostgresApiKeyStoreOptions, postgresApiKeyStore } from './store.js';
