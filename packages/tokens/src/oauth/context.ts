import type { EventSink } from '@bulwark/core';
import type { AccessTokenIssuer } from '../access/index.js';
import type { RefreshTokens } from '../refresh/types.js';
import type { RegisteredClient } from './clients.js';
import type { AuthorizationCodeStore } from './port.js';

/** What the server's parts share, checked once by `authorizationServer`. */
export interface ServerContext {
  readonly issuer: string;
  readonly clients: ReadonlyMap<string, RegisteredClient>;
  /** Every scope the server knows. */
  readonly scopes: ReadonlySet<string>;
  readonly codes: AuthorizationCodeStore;
  readonly codeTtlMs: number;
  readonly accessTokens: AccessTokenIssuer;
  readonly refreshTokens: RefreshTokens;
  readonly onEvent: EventSink | undefined;
  /** The `WWW-Authenticate` value of an `invalid_client` answer. */
  readonly basicChallenge: string;
  readonly now: () => number;
}
