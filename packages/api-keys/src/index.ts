export {
  type ApiKeyInfo,
  type ApiKeys,
  apiKeys,
  type CreateApiKeyInput,
  type CreatedApiKey,
  type RotateApiKeyInput,
  type RotateApiKeyResult,
} from './api-keys.js';
export { type ApiKeyAuthenticatorOptions, apiKeyAuthenticator } from './authenticator.js';
export { spendCredits } from './credits.js';
export { type ApiKeyCreditsPolicyOptions, apiKeyCreditsPolicy } from './credits-policy.js';
export type {
  ApiKeyCreatedEvent,
  ApiKeyEvent,
  ApiKeyRevokedEvent,
  ApiKeyRotatedEvent,
  ApiKeyUsedEvent,
} from './events.js';
export {
  type ApiKeyEnvironment,
  type ApiKeyParts,
  apiKeyLength,
  apiKeyPattern,
  CHECKSUM_LENGTH,
  DEFAULT_PREFIX,
  formatApiKey,
  generateApiKeyParts,
  KEY_ID_LENGTH,
  type ParsedApiKey,
  parseApiKey,
  SECRET_LENGTH,
} from './format.js';
export type { CreditsInput } from './input.js';
export { InvalidationFeed, parseFeedMessage } from './invalidation-feed.js';
export { type MemoryApiKeyStore, type MemoryApiKeyStoreOptions, memoryApiKeyStore } from './memory-store.js';
export { API_KEYS_OPTION_KEYS, type ApiKeysOptions } from './options.js';
export type {
  ApiKeyCredits,
  ApiKeyCreditsResult,
  ApiKeyInvalidations,
  ApiKeyMetadata,
  ApiKeyRecord,
  ApiKeyRotateResult,
  ApiKeyStore,
} from './port.js';
export type { ApiKeyVerifyOutcome } from './verifier.js';
