export {
  type AccessTokenClaims,
  type AccessTokenInput,
  type AccessTokenIssuer,
  type AccessTokensOptions,
  type AccessTokenVerifier,
  type AccessTokenVerifierOptions,
  accessTokens,
  accessTokenVerifier,
  type ClockOption,
  type IssuedAccessToken,
  jwtAuthenticator,
  type VerifiedOutcome,
  type VerifyOutcome,
} from './access/index.js';
export {
  type Keyring,
  type KeyringCreateOptions,
  type KeyringOptions,
  type KeyringRecord,
  type KeyringSnapshot,
  type KeyringStore,
  type KeyState,
  type KeyStatus,
  keyring,
  type MemoryKeyringStoreOptions,
  memoryKeyringStore,
  type NewKeyringRecord,
  type PrivateJwkSet,
  SIGNING_ALGORITHMS,
} from './keyring/index.js';
export type {
  SigningAlgorithm,
  SigningKey,
  SigningKeySource,
  VerificationKey,
  VerificationKeySource,
} from './keys.js';
export * from './oauth/index.js';
export { type RemoteJwksOptions, remoteJwks } from './remote-jwks/index.js';
export {
  checkRevocationTarget,
  MAX_REVOCATION_ID_LENGTH,
  type MemoryRevocationStore,
  type MemoryRevocationStoreOptions,
  memoryRevocationStore,
  type RevocationAddResult,
  RevocationListeners,
  RevocationStoreFullError,
  RevocationTable,
} from './revocation/index.js';
export type { RevocationStore, RevocationTarget } from './revocation.js';
