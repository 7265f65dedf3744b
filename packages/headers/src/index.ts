export {
  type DeprecationOptions,
  type DeprecationPolicy,
  type DeprecationRule,
  deprecationPolicy,
  httpDate,
} from './deprecation.js';
export {
  type HstsOptions,
  type ReferrerPolicyValue,
  type SecurityHeadersOptions,
  type SecurityHeadersPolicy,
  securityHeaders,
} from './profile.js';
export { type ApiVersionOptions, type ApiVersionPolicy, apiVersionPolicy } from './versioning.js';
