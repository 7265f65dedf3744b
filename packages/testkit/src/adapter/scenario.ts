import type { ProbeRequest, ProbeResponse } from '../http-client.js';

/** One request and what every framework must answer to it. */
export interface SingleRequestScenario {
  readonly name: string;
  readonly request: ProbeRequest;
  check(res: ProbeResponse): void;
}

/** A sequence of requests (for stateful primitives such as rate limits). */
export interface SequenceScenario {
  readonly name: string;
  /** `target.baseUrl` is for what `send` cannot do (raw sockets: slow, aborted or odd requests). */
  run(send: (request: ProbeRequest) => Promise<ProbeResponse>, target: { readonly baseUrl: string }): Promise<void>;
}

/** Bytes sent as they are over a socket: requests `node:http` will not send (no `Host`, `OPTIONS *`, ...). */
export interface RawScenario {
  readonly name: string;
  readonly raw: string;
  /** Gets a `RawResponse` (a `ProbeResponse` with the fields as sent). */
  check(res: ProbeResponse): void;
}

export type AdapterScenario = SingleRequestScenario | SequenceScenario | RawScenario;
