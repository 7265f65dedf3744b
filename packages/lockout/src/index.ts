export { LOCKED_DETAIL, LoginLockedError, lockedDecision, retryAfterSeconds } from './answers.js';
export { accountTagger, accountTaggerSync, normalizeAccount } from './identity.js';
export {
  type AllowedAttempt,
  LOCKOUT_OPTION_KEYS,
  type LockedAttempt,
  type Lockout,
  type LockoutOptions,
  type LoginAttempt,
  lockout,
  type SignInAttempt,
} from './lockout.js';
export { type MemoryLockoutStoreOptions, memoryLockoutStore } from './memory-store.js';
export type {
  ClearAnswer,
  ClearTarget,
  EngagedLock,
  LockoutRules,
  LockoutStatus,
  LockoutStore,
  LockoutTarget,
  RefundAnswer,
  RefundKind,
  ReserveAnswer,
  ScopeRule,
  ScopeStatus,
} from './port.js';
export { compileRules, DEFAULT_RULES, type ScopeLimitOptions } from './rules.js';
export {
  accountLifetime,
  clearHorizon,
  countAttempt,
  currentState,
  EMPTY_STATE,
  giveBack,
  lifetime,
  lockDuration,
  nextEpoch,
  type ScopeState,
} from './steps.js';
export { currentStates, refundStep, reserveStep, type ScopeStates, statusOf } from './transitions.js';
