import type { Authenticator, ClientIpOptions, EventSink, RequestPolicy } from '@bulwark/core';
import type { DemoRoute } from '../routes.js';

/** What a protected route runs before its logic, on every framework in the same order. */
export interface Protection {
  /** `authenticate(authenticators, { realm })`: 401/400 without a valid credential. */
  readonly authenticators: readonly Authenticator[];
  /** The `realm` of every `WWW-Authenticate: Bearer` challenge. */
  readonly realm: string;
  /** The per-principal rate limits (they need the principal, so they come after authentication). */
  readonly principalTier: RequestPolicy;
  readonly onEvent?: EventSink | undefined;
}

export interface AppParts {
  readonly policies: readonly RequestPolicy[];
  /** The policies whose headers go on every answer, even on requests refused before the framework. */
  readonly profile: readonly RequestPolicy[];
  /** How every guard finds the client IP (TRUST_PROXY). */
  readonly clientIp: ClientIpOptions;
  readonly routes: readonly DemoRoute[];
  readonly protection: Protection;
  readonly onEvent?: EventSink | undefined;
  readonly onError: (err: unknown) => void;
}

export interface Listening {
  readonly url: string;
  close(): Promise<void>;
}

/** Builds the notes API with one framework and listens. */
export type StartApp = (parts: AppParts, host: string, port: number) => Promise<Listening>;

/** The options of every `authenticate(...)` / `requireScopes(...)` of an app: the realm, events, the client IP. */
export function authOptions(parts: AppParts) {
  const { realm, onEvent } = parts.protection;
  return { realm, ...(onEvent ? { onEvent } : {}), ...parts.clientIp };
}
