import type { ProbeRequest, ProbeResponse } from '../http-client.js';

/** One request and what every framework must answer to it. */
export interface AdapterScenario {
  readonly name: string;
  readonly request: ProbeRequest;
  check(res: ProbeResponse): void;
}
