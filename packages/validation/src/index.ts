export type { RawRequestParts, RequestValidator, ValidatedOf, ValidatedRequest, ValidationResult } from '@bulwark/core';
export { parseCookies } from './cookies.js';
export type { FieldError, Location } from './issues.js';
export { type JsonFailure, type JsonResult, parseJsonBody } from './json.js';
export { checkMediaType } from './media-type.js';
export { decodeCursor, encodeCursor, paginationQuery } from './pagination.js';
export { jsonPointer } from './pointer.js';
export { parseQuery } from './query.js';
export { OutputValidationError, requestValidator, type ValidatorOptions } from './validator.js';
