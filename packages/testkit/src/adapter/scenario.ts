import type { ProbeRequest, ProbeResponse } from '../http-client.js';

/** What every scenario may declare besides its requests. */
interface ScenarioBase {
  readonly name: string;
  /**
   * Why the four frameworks may answer this scenario differently, when they may: only
   * for what the framework decides and Bulwark does not (how each router matches odd
   * spellings of a path: case, a trailing slash, dot segments, percent-encoded letters).
   * Such a scenario is left out of the byte-identical comparison (`runIdenticalAnswers`),
   * its own checks still run on each framework. Every other scenario must be identical.
   */
  readonly frameworksMayDiffer?: string;
}

/** One request and what every framework must answer to it. */
export interface SingleRequestScenario extends ScenarioBase {
  readonly request: ProbeRequest;
  check(res: ProbeResponse): void;
}

/** A sequence of requests (for stateful primitives such as rate limits). */
export interface SequenceScenario extends ScenarioBase {
  /** `target.baseUrl` is for what `send` cannot do (raw sockets: slow, aborted or odd requests). */
  run(send: (request: ProbeRequest) => Promise<ProbeResponse>, target: { readonly baseUrl: string }): Promise<void>;
}

/** Bytes sent as they are over a socket: requests `node:http` will not send (no `Host`, `OPTIONS *`, ...). */
export interface RawScenario extends ScenarioBase {
  readonly raw: string;
  /** Gets a `RawResponse` (a `ProbeResponse` with the fields as sent). */
  check(res: ProbeResponse): void;
}

export type AdapterScenario = SingleRequestScenario | SequenceScenario | RawScenario;
