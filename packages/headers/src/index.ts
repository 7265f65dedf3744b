export { type DeprecationOptions, type DeprecationRule, deprecation, httpDate } from './deprecation.js';
export { type HstsOptions, type ReferrerPolicyValue, type SecurityHeadersOptions, type SecurityHeadersPolicy, securityHeaders } from './profile.js';
export { type ApiVersionOptions, apiVersions } from './versioning.js';
