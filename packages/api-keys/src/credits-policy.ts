import { allow, ConfigError, checkOptions, deny, type RequestPolicy } from '@bulwark/core';
import type { ApiKeys } from './api-keys.js';

export interface ApiKeyCreditsPolicyOptions {
  /** Credits one request spends. Default 1. */
  readonly cost?: number | undefined;
}

/**
 * A request policy, after authentication, that spends the credits of the API key that
 * authenticated the request (one atomic store operation; never below zero). A key out of
 * credits answers 429 `rate_limited` and spends nothing; a key without credits, a token or
 * an anonymous request passes untouched (with no store call when the verified-key cache
 * holds the key). A store that fails answers 503 `store_unavailable` (fail closed).
 *
 * @example
 * ```ts
 * import { apiKeyAuthenticator, apiKeyCreditsPolicy, apiKeys } from '@bulwark/api-keys';
 * import { authenticationPolicy } from '@bulwark/core';
 *
 * const keys = apiKeys();
 * const policies = [authenticationPolicy([apiKeyAuthenticator(keys)]), apiKeyCreditsPolicy(keys, { cost: 1 })];
 * ```
 */
export function apiKeyCreditsPolicy(keys: ApiKeys, options: ApiKeyCreditsPolicyOptions = {}): RequestPolicy {
  if (typeof keys?.consumeCredits !== 'function')
    throw new ConfigError('keys', 'expected an ApiKeys manager (apiKeys(...))');
  checkOptions(options, ['cost']);
  const cost = options.cost ?? 1;
  if (!Number.isSafeInteger(cost) || cost < 1) throw new ConfigError('cost', 'expected a positive integer');
  const passed = Object.freeze(allow());
  const exhausted = Object.freeze(deny('rate_limited', 'The API key has no credits left.'));
  const unavailable = Object.freeze(deny('store_unavailable', 'The service is unavailable; retry later.'));
  return {
    name: 'api-key-credits',
    evaluate(view) {
      const source = view.principal?.source;
      if (source?.kind !== 'api_key') return passed;
      return keys.consumeCredits(source.keyId, cost).then(
        (result) => (result === undefined || (result.limited && !result.ok) ? exhausted : passed),
        () => unavailable,
      );
    },
  };
}
