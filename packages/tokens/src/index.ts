export type {
  SigningAlgorithm,
  SigningKey,
  SigningKeySource,
  VerificationKey,
  VerificationKeySource,
} from './keys.js';
export type { RevocationStore, RevocationTarget } from './revocation.js';
