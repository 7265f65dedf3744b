export { deadlineError, PostgresStoreError, toStoreError } from './errors.js';
export { type MigrateOptions, type MigrateResult, migrate } from './migrate.js';
export { MIGRATIONS, type Migration } from './migrations/index.js';
export type { PostgresStoreOptions } from './options.js';
export type { SweepOptions, SweepResult } from './sweep.js';
