export { ServiceBusyError } from './busy.js';
export type { Argon2Engine, Argon2Input } from './engine.js';
export {
  MAX_PASSWORD_LENGTH,
  OWASP_ARGON2ID,
  type PasswordHasher,
  type PasswordHasherOptions,
} from './hasher.js';
export { passwordHasher } from './password-hasher.js';
export { type Argon2idHash, type Argon2Params, formatArgon2idPhc, parseArgon2idPhc } from './phc.js';
export { type PasswordCheck, type PasswordPolicy, type PasswordPolicyOptions, passwordPolicy } from './policy.js';
export { type PureArgon2EngineOptions, pureArgon2Engine } from './pure-engine.js';
