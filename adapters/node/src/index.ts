export { connectionClosed, readNodeBody } from './body.js';
export { handleClientError } from './client-error.js';
export { nodeRequestView, pathOf } from './request-view.js';
export { applyAllow, nodeHeaderSink, sendDecision } from './response.js';
export { nodeValidationView } from './validation-view.js';
