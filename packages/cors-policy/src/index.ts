export type { CorsOptions } from './options.js';
export { type Origin, parseOriginHeader, serializeOrigin } from './origin.js';
export { type CorsExplanation, type CorsPolicy, corsPolicy, corsPolicyByRoute } from './policy.js';
export { checkRequestHeaders, type RequestHeadersCheck } from './request-headers.js';
