export { forbiddenError, notFoundError } from './errors.js';
export type { AuthzEventOptions, RequestWhere } from './events.js';
export { type FieldMask, mask, maskEmail } from './mask.js';
export {
  OWNED_BY_OPTION_KEYS,
  type OwnedByOptions,
  type OwnedCallOptions,
  type OwnedLoader,
  ownedBy,
} from './ownership.js';
export { can, POLICY_OPTION_KEYS, type Policy, type PolicyOptions, policy, type Rules } from './policy.js';
export { type AuthzContext, allOf, anyOf, hasScope, isOwner, not, type Predicate } from './predicates.js';
export { READ_RULE_KEYS, type ReadableFields, type ReadRule, readableFields, type Shaped } from './readable.js';
export type { Requirement } from './requirement.js';
export { ROLE_OPTION_KEYS, type RoleDefinition, type Roles, roles } from './roles.js';
export { grantable, isScopeToken } from './scopes.js';
export {
  WRITABLE_OPTION_KEYS,
  type WritableFields,
  type WritableFieldsOptions,
  type WriteFieldError,
  type WriteRule,
  writableFields,
} from './writable.js';
