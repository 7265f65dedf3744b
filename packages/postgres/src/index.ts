export {
  API_KEY_STATEMENTS,
  type PostgresApiKeyStore,
  type PostgresApiKeyStoreOptions,
  postgresApiKeyStore,
} from './api-keys/index.js';
export {
  type PostgresAuthorizationCodeStore,
  type PostgresAuthorizationCodeStoreOptions,
  postgresAuthorizationCodeStore,
} from './codes/store.js';
export { PostgresStoreError } from './errors.js';
export { KEYRING_STATEMENTS, type PostgresKeyringStoreOptions, postgresKeyringStore } from './keyring/index.js';
export type { ListenerConnect } from './listener.js';
export { type PostgresLockoutStore, type PostgresLockoutStoreOptions, postgresLockoutStore } from './lockout/store.js';
export { type MigrateOptions, type MigrateResult, migrate } from './migrate.js';
export { MIGRATIONS, type Migration } from './migrations/index.js';
export type { PostgresStoreOptions } from './options.js';
export {
  type PostgresRateLimitStore,
  type PostgresRateLimitStoreOptions,
  postgresRateLimitStore,
} from './rate-limit/store.js';
export {
  type PostgresRefreshTokenStore,
  type PostgresRefreshTokenStoreOptions,
  postgresRefreshTokenStore,
} from './refresh/store.js';
export {
  type PostgresRevocationStore,
  type PostgresRevocationStoreOptions,
  postgresRevocationStore,
  REVOCATION_STATEMENTS,
} from './revocation/index.js';
export type { SweepOptions, SweepResult } from './sweep.js';
