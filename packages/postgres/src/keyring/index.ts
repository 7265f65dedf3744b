export { KEYRING_STATEMENTS } from './statements.js';
export { type PostgresKeyringStoreOptions, postgresKeyringStore } from './store.js';
