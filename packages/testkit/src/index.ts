export {
  AUTH_REALM,
  authConformanceApp,
  authEvents,
  testApiKeyAuthenticator,
  testTokenAuthenticator,
} from './adapter/auth-fixture.js';
export { authScenarios, optionalAuthScenarios } from './adapter/auth-scenarios.js';
export type {
  AdapterDriver,
  ConformanceApp,
  ConformanceAuthentication,
  ConformanceRoute,
  RouteInput,
  RouteOutput,
  RunningApp,
} from './adapter/driver.js';
export { expectProblem, expectProfile } from './adapter/expect.js';
export { ALLOWED_ORIGIN, CONFORMANCE_NOW, conformanceApp } from './adapter/fixture.js';
export {
  type ComparableAnswer,
  type ComparableOptions,
  comparableAnswer,
  expectIdenticalAnswers,
  runIdenticalAnswers,
  SERVER_OWNED_HEADERS,
} from './adapter/identical.js';
export { runAdapterConformance } from './adapter/run.js';
export type { RawScenario, SequenceScenario, SingleRequestScenario } from './adapter/scenario.js';
export { type AdapterScenario, adapterScenarios } from './adapter/scenarios.js';
export {
  TOKEN_AUDIENCE,
  TOKEN_ISSUER,
  type TokenAttackSetup,
  tokenAttackApp,
  tokenAttackAuthenticator,
  tokenAttackEvents,
  tokenAttackSetup,
} from './adapter/token-attack-fixture.js';
export { tokenAttackScenarios } from './adapter/token-attack-scenarios.js';
export {
  ATTACK_SCOPES,
  ATTACK_SUBJECT,
  accessClaims,
  accessHeader,
  canonicalBase,
  nonCanonicalSpellings,
  type TokenAttack,
  type TokenControl,
  type TokenKeys,
  type TokenWorld,
  tokenAttacks,
  tokenControls,
  tokenKeys,
  validToken,
} from './adapter/token-attacks.js';
export { b64, type Signer, signCompact, type TestKey, testKey } from './adapter/token-sign.js';
export { CONFORMANCE_BODY_LIMIT } from './adapter/validation-fixture.js';
export { type ProbeRequest, type ProbeResponse, sendProbe } from './http-client.js';
export * from './probe/index.js';
export { describeFailure, describeProbe } from './probe/vitest.js';
export { parseRawResponse, type RawProbeOptions, type RawResponse, sendRaw } from './raw-client.js';
export {
  type ApiKeyConformanceOptions,
  type ApiKeyStoreSubject,
  runApiKeyStoreConformance,
} from './stores/apikey-conformance.js';
export {
  type AuthorizationCodeConformanceOptions,
  type AuthorizationCodeStoreSubject,
  runAuthorizationCodeStoreConformance,
} from './stores/code-conformance.js';
export { runKeyringStoreConformance } from './stores/keyring-conformance.js';
export { type LockoutStoreSubject, runLockoutStoreConformance } from './stores/lockout-conformance.js';
export { runRateLimitStoreConformance, type StoreUnderTest } from './stores/ratelimit-conformance.js';
export {
  checksOf,
  type DifferentialSubject,
  expectSameDecisions,
  type RateLimitSequence,
  rateLimitSequence,
  type SequenceKeys,
  type SequenceLimit,
  type SequenceOperation,
} from './stores/ratelimit-differential.js';
export { type RedisCluster, type RedisProcess, startRedisCluster, startRedisServer } from './stores/redis-servers.js';
export {
  type ReferenceRateLimitStore,
  type ReferenceStoreOptions,
  referenceRateLimitStore,
} from './stores/reference-ratelimit-store.js';
export {
  type RefreshConformanceOptions,
  type RefreshStoreSubject,
  runRefreshTokenStoreConformance,
} from './stores/refresh-conformance.js';
export {
  type RevocationConformanceOptions,
  type RevocationStoreSubject,
  runRevocationStoreConformance,
} from './stores/revocation-conformance.js';
export { describeWithService, portOpen } from './stores/services.js';
