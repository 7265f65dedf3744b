import type { ProbeCheck } from '../types.js';
import { authChecks } from './auth.js';
import { authzChecks } from './authz.js';
import { bodyChecks } from './body.js';
import { corsChecks } from './cors.js';
import { headerChecks } from './headers.js';
import { injectionChecks } from './injection.js';
import { inventoryChecks } from './inventory.js';
import { problemChecks } from './problems.js';
import { rateLimitChecks } from './ratelimit.js';
import { sessionChecks } from './session.js';
import { tokenChecks } from './tokens.js';

/**
 * Every probe check, in the order they run. The burst runs last: once it has drawn a 429,
 * the principal and client it spent are limited for the rest of the window.
 */
export const probeChecks: readonly ProbeCheck[] = [
  ...corsChecks,
  ...headerChecks,
  ...problemChecks,
  ...bodyChecks,
  ...authChecks,
  ...tokenChecks,
  ...authzChecks,
  ...injectionChecks,
  ...inventoryChecks,
  ...sessionChecks,
  ...rateLimitChecks,
];
