export type {
  AdapterDriver,
  ConformanceApp,
  ConformanceRoute,
  RouteInput,
  RouteOutput,
  RunningApp,
} from './adapter/driver.js';
export { ALLOWED_ORIGIN, conformanceApp } from './adapter/fixture.js';
export { runAdapterConformance } from './adapter/run.js';
export { type AdapterScenario, adapterScenarios, expectProblem, expectProfile } from './adapter/scenarios.js';
export { type ProbeRequest, type ProbeResponse, sendProbe } from './http-client.js';
