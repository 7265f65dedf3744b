export { clientSecretHash } from './clients.js';
export {
  authorizationCodeHash,
  checkAuthorizationCode,
  isAuthorizationCode,
  MAX_CODE_TTL_MS,
  newAuthorizationCode,
} from './code.js';
export { type MemoryAuthorizationCodeStoreOptions, memoryAuthorizationCodeStore } from './memory-store.js';
export {
  createPkcePair,
  type PkcePair,
  parseCodeChallenge,
  parseCodeVerifier,
  s256Challenge,
  verifyPkce,
} from './pkce.js';
export type { AuthorizationCodeRecord, AuthorizationCodeStore, RedeemResult } from './port.js';
export { authorizationServer } from './server.js';
export type {
  AuthorizationRequest,
  AuthorizationServer,
  AuthorizationServerOptions,
  AuthorizeVerdict,
  OAuthClientConfig,
  OAuthGrantType,
  OAuthParams,
} from './types.js';
