export {
  DEFAULT_REFRESH_PREFIX,
  FAMILY_ID_LENGTH,
  isFamilyId,
  newRefreshFamilyId,
  type ParsedRefreshToken,
  parseRefreshToken,
  REFRESH_TOKEN_PATTERN,
  subjectTag,
} from './format.js';
export {
  type MemoryRefreshTokenStore,
  type MemoryRefreshTokenStoreOptions,
  memoryRefreshTokenStore,
  RefreshStoreFullError,
} from './memory-store.js';
export {
  type CreateFamilyInput,
  type CreateFamilyResult,
  type RefreshFamilyInfo,
  type RefreshFamilyState,
  type RefreshTokenStore,
  type RotateInput,
  type RotateResult,
  SUBJECT_TAG_LENGTH,
} from './port.js';
export { refreshTokens } from './refresh-tokens.js';
export type { IssuedRefreshToken, RefreshOutcome, RefreshTokens, RefreshTokensOptions } from './types.js';
