export { splitGuardOptions } from './auth/adapter-options.js';
export { AUTH_DETAIL, type AuthAnswerOptions } from './auth/answers.js';
export {
  AUTHENTICATION_OPTION_KEYS,
  type AuthenticationOptions,
  authenticationPolicy,
} from './auth/authentication-policy.js';
export type {
  Authenticator,
  AuthFailureReason,
  AuthOutcome,
  PresentedCredentials,
} from './auth/authenticator.js';
export { type BearerCredential, parseBearer } from './auth/bearer.js';
export { joinedRawField } from './auth/raw-field.js';
export { SCOPE_OPTION_KEYS, type ScopeOptions, scopePolicy } from './auth/scope-policy.js';
export { type BodyReadOptions, bodyTimeoutError, parseByteSize, readBody } from './body.js';
export { type ChallengeOptions, challenge } from './challenge.js';
export { isClientAbort } from './client-abort.js';
export { type Clock, type ManualClock, manualClock, systemClock } from './clock.js';
export {
  type AllowDecision,
  allow,
  type Decision,
  type DenyDecision,
  deny,
  type RefusalDecision,
  type RespondDecision,
  respond,
} from './decision.js';
export { type Duration, parseDuration } from './duration.js';
export {
  decisionForError,
  type ErrorDecisionOptions,
  notFoundDecision,
  PROBLEM_HANDLER_OPTION_KEYS,
  type ProblemHandlerOptions,
  problemHandlerOptions,
  problemJson,
  standardDeny,
} from './error-decision.js';
export {
  BulwarkError,
  ConfigError,
  type ErrorCode,
  HTTP_CODE_BY_INTERNAL_CODE,
  type HttpErrorCode,
  httpCodeOf,
  type InternalErrorCode,
  isHttpErrorCode,
  STATUS_BY_CODE,
  TITLE_BY_CODE,
} from './errors.js';
export {
  type AuthFailedEvent,
  type AuthzDeniedEvent,
  type AuthzLayer,
  type ConfigWarningEvent,
  type CorsRejectedEvent,
  type CorsRejectReason,
  type EventSink,
  emitEvent,
  type JwksFetchFailedEvent,
  type JwksKeySkippedEvent,
  jsonLinesSink,
  type KeyringKeyCreatedEvent,
  type KeyringStoreFailureEvent,
  maskSecret,
  type RateLimitExceededEvent,
  type RateLimitFallbackEvent,
  type RateLimitStoreFailureEvent,
  type RevocationStoreFailureEvent,
  type SecurityEvent,
  type ServerErrorEvent,
  type SunsetHitEvent,
  type TokenReuseDetectedEvent,
  type ValidationFailedEvent,
  type VersionRejectedEvent,
} from './events.js';
export {
  applyHeaders,
  type HeaderList,
  type HeaderSink,
  isListField,
  isSafeHeaderValue,
  isToken,
  mergeVary,
} from './headers.js';
export { type Cidr, cidrContains, ipMatcher, parseCidr } from './ip/cidr.js';
export { forwardedChain, forwardedForChain } from './ip/forwarded.js';
export { type IpKeyOptions, ipKey } from './ip/key.js';
export {
  canonicalIpv4Value,
  formatIp,
  type IpAddress,
  normalizeIp,
  parseIp,
  parseIpWithOptionalPort,
} from './ip/parse.js';
export {
  CLIENT_IP_OPTION_KEYS,
  type ClientIpOptions,
  type ClientIpResolver,
  clientIpResolver,
  type TrustProxy,
} from './ip/trust-proxy.js';
export {
  type AlertEvent,
  type AlertHook,
  advance as advanceSpikeSignal,
  alertHook,
  DEFAULT_ALERT_TYPES,
  DEFAULT_SPIKE_SIGNALS,
  ECS_VERSION,
  type EcsOptions,
  ecsDocument,
  ecsSink,
  initialSignal as initialSpikeSignal,
  type LockoutClearedEvent,
  type LockoutEvent,
  type LockoutScope,
  type LoginFailedEvent,
  maskIp,
  observe as observeSpikeSignal,
  type SignalState as SpikeSignalState,
  type SpikeDetector,
  type SpikeDetectorOptions,
  type SpikeRule,
  spikeDetector,
  teeSink,
  threshold as spikeThreshold,
} from './monitoring/index.js';
export { checkOptions } from './options.js';
export { bodyAlreadyRead, requirePrincipal, validationMissing } from './pipeline/accessors.js';
export { mergeAllow, RequestContext } from './pipeline/context.js';
export { applyAllow, evaluatePolicies, type PipelineOutcome } from './pipeline/evaluate.js';
export { filterOutput, filtersStatus } from './pipeline/output.js';
export { policyList, policyListName } from './pipeline/policy-list.js';
export { guardResolver } from './pipeline/resolver-cache.js';
export type { BulwarkState, RequestPolicy } from './policy.js';
export type { Principal, PrincipalClaims, PrincipalSource } from './principal.js';
export {
  PROBLEM_CONTENT_TYPE,
  PROBLEM_TYPE_PREFIX,
  type Problem,
  type ProblemExtensions,
  problemFor,
} from './problem.js';
export { isValidHost, profileHeaders, refusedRequestAnswer } from './refused-request.js';
export { type RenderedAnswer, renderDecision } from './render.js';
export { evaluatePolicy, REQUEST_TARGET_REFUSED_DETAIL, requestTargetPath } from './request-target.js';
export { type RequestView, requestView } from './request-view.js';
export { type RouteRule, routeTable, routingPath } from './route-table.js';
export {
  isBodyTimeout,
  queryOf,
  type RawRequestParts,
  type RequestValidator,
  runValidation,
  type ValidatedOf,
  type ValidatedRequest,
  type ValidationResult,
} from './validation-contract.js';
