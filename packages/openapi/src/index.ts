export { openApiDocument } from './document.js';
export { type PathTemplate, pathTemplate } from './paths.js';
export type {
  DeprecationDescription,
  InfoOptions,
  JsonObject,
  LimitDescription,
  OAuth2Options,
  OpenApiDocument,
  OpenApiOptions,
  OpenApiRoute,
  RateLimitDescription,
  RouteResponse,
  SecurityOptions,
  ServerOptions,
} from './types.js';
