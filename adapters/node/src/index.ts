export { connectionClosed, readNodeBody } from './body.js';
export { type ClientErrorOptions, clientErrorHandler, handleClientError } from './client-error.js';
export { existingRequestContext, type NodeRequestContext, nodeRequestContext } from './context.js';
export { checkHost, checkRequestHead, type HostCheckOptions, hasAmbiguousFraming, hasValidHost } from './host-check.js';
export { nodeRequestView, pathOf } from './request-view.js';
export { applyAllow, nodeHeaderSink, sendDecision } from './response.js';
export { connectHandler, expectationHandler, refuseUnservedRequests } from './server-events.js';
export { nodeValidationView } from './validation-view.js';
