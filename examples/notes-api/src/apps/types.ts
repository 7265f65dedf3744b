import type { ClientIpOptions, EventSink, RequestPolicy } from '@bulwark/core';
import type { NoteHandlers } from '../domain/notes.js';
import type { DemoValidators } from '../validators.js';

export interface AppParts {
  readonly policies: readonly RequestPolicy[];
  /** How every guard finds the client IP (TRUST_PROXY). */
  readonly clientIp: ClientIpOptions;
  readonly handlers: NoteHandlers;
  readonly validators: DemoValidators;
  readonly onEvent?: EventSink;
  readonly onError: (err: unknown) => void;
}

export interface Listening {
  readonly url: string;
  close(): Promise<void>;
}

/** Builds the notes API with one framework and listens. */
export type StartApp = (parts: AppParts, host: string, port: number) => Promise<Listening>;
