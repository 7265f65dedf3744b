import { CODES_MIGRATION } from '../codes/migration.js';
import { LOCKOUT_MIGRATION } from '../lockout/migration.js';
import { LOCKOUT_UNDO_MIGRATION } from '../lockout/undo-migration.js';
import { REFRESH_MIGRATION } from '../refresh/migration.js';
import { clock } from './001-clock.js';
import { revocations } from './002-revocations.js';
import { keyring } from './003-keyring.js';
import { apiKeys } from './004-api-keys.js';
import { rateLimits } from './005-rate-limits.js';
import type { Migration } from './types.js';

export type { Migration } from './types.js';

/**
 * Every migration of the package, in the order `migrate()` applies them. Versions 1-99
 * belong to the API-key, revocation, keyring and rate-limit stores; 101-199 to the refresh-token,
 * authorization-code and lockout stores. Append only.
 */
export const MIGRATIONS: readonly Migration[] = Object.freeze([
  // 1-99
  clock,
  revocations,
  keyring,
  apiKeys,
  rateLimits,
  // 101-199
  REFRESH_MIGRATION,
  CODES_MIGRATION,
  LOCKOUT_MIGRATION,
  LOCKOUT_UNDO_MIGRATION,
]);
