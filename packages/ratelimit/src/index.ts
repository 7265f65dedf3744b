export {
  ALGORITHMS,
  type Algorithm,
  type AlgorithmState,
  refundState,
  type Step,
  step,
} from './algorithms.js';
export { decide, type KeyRecord, type KeyWrite } from './evaluate.js';
export { type AppliedLimit, rateLimitFields } from './fields.js';
export { type MemoryRateLimitStore, type MemoryStoreOptions, memoryStore, StoreFullError } from './memory-store.js';
export {
  type LimitKey,
  type LimitRule,
  type RateLimitOptions,
  type RateLimitPolicy,
  rateLimitPolicy,
} from './policy.js';
export type { ConsumeResult, LimitCheck, LimitOutcome, RateLimitStore, StoreKey } from './port.js';
export { type FailureMode, type FailureOptions, StoreTimeoutError } from './resilience.js';
