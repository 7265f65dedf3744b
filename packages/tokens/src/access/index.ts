export { jwtAuthenticator } from './authenticator.js';
export type { AccessTokenClaims } from './claims.js';
export {
  type AccessTokenInput,
  type AccessTokenIssuer,
  type AccessTokensOptions,
  accessTokens,
  type IssuedAccessToken,
} from './issuer.js';
export type { ClockOption } from './options.js';
export type { VerifiedOutcome, VerifyOutcome } from './outcome.js';
export { type AccessTokenVerifier, type AccessTokenVerifierOptions, accessTokenVerifier } from './verifier.js';
