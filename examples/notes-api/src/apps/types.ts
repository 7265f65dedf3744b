import type { ClientIpOptions, EventSink, RequestPolicy } from '@bulwark/core';
import type { DemoRoute } from '../routes.js';

export interface AppParts {
  readonly policies: readonly RequestPolicy[];
  /** The policies whose headers go on every answer, even on requests refused before the framework. */
  readonly profile: readonly RequestPolicy[];
  /** How every guard finds the client IP (TRUST_PROXY). */
  readonly clientIp: ClientIpOptions;
  readonly routes: readonly DemoRoute[];
  readonly onEvent?: EventSink | undefined;
  readonly onError: (err: unknown) => void;
}

export interface Listening {
  readonly url: string;
  close(): Promise<void>;
}

/** Builds the notes API with one framework and listens. */
export type StartApp = (parts: AppParts, host: string, port: number) => Promise<Listening>;
