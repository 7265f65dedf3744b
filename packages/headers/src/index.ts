export { type DeprecationOptions, type DeprecationRule, deprecationPolicy, httpDate } from './deprecation.js';
export { type HstsOptions, type ReferrerPolicyValue, type SecurityHeadersOptions, type SecurityHeadersPolicy, securityHeaders } from './profile.js';
export { type ApiVersionOptions, apiVersionPolicy } from './versioning.js';
