export { REVOCATION_STATEMENTS } from './statements.js';
export {
  type PostgresRevocationStore,
  type PostgresRevocationStoreOptions,
  postgresRevocationStore,
} from './store.js';
