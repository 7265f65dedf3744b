export { authChecks } from './checks/auth.js';
export { authzChecks } from './checks/authz.js';
export { bodyChecks } from './checks/body.js';
export { corsChecks } from './checks/cors.js';
export { headerChecks } from './checks/headers.js';
export { probeChecks } from './checks/index.js';
export { injectionChecks, SQL_INJECTIONS } from './checks/injection.js';
export { deprecationFault, inventoryChecks } from './checks/inventory.js';
export { problemChecks } from './checks/problems.js';
export { BURST_LIMIT, rateLimitChecks } from './checks/ratelimit.js';
export { parseRateLimitField, type RateLimitMember } from './checks/ratelimit-fields.js';
export { sessionChecks } from './checks/session.js';
export { tokenChecks } from './checks/tokens.js';
export { type ProbeHttp, type ProbeHttpOptions, probeHttp, SAFE_METHODS } from './client.js';
export { probeContext } from './context.js';
export type { ProbeAnswer, ProbeHttpRequest } from './exchange.js';
export { evidence, fail, leakIn, pass, problemFault, skip } from './outcome.js';
export {
  isLoopback,
  type ProbeOptions,
  type ProbeProgress,
  type ProbeReport,
  probeTarget,
  runCheck,
  runProbe,
} from './run.js';
export {
  type LoginRecipe,
  type ProbeRoute,
  type ProbeTarget,
  parseLoginRecipe,
  routesFromOpenApi,
} from './target.js';
export {
  type CheckOutcome,
  type CheckResult,
  type CheckStatus,
  type Evidence,
  OWASP_RISKS,
  type OwaspRisk,
  type ProbeCheck,
  type ProbeContext,
} from './types.js';
