import { afterAll, beforeAll, describe, it } from 'vitest';
import { sendProbe } from '../http-client.js';
import type { AdapterDriver, ConformanceApp, RunningApp } from './driver.js';
import { conformanceApp } from './fixture.js';
import { type AdapterScenario, adapterScenarios } from './scenarios.js';

/**
 * Registers the whole scenario list as vitest tests for one framework driver. Call it once
 * per driver from a single test file: the list is never copied per adapter.
 *
 * @example
 * ```ts
 * for (const driver of [expressDriver, fastifyDriver, koaDriver, honoDriver]) runAdapterConformance(driver);
 * ```
 */
export function runAdapterConformance(
  driver: AdapterDriver,
  options: { app?: ConformanceApp; scenarios?: readonly AdapterScenario[] } = {},
): void {
  describe(`adapter conformance: ${driver.name}`, () => {
    let running: RunningApp;
    beforeAll(async () => {
      running = await driver.start(options.app ?? conformanceApp());
    });
    afterAll(async () => {
      await running?.close();
    });
    for (const scenario of options.scenarios ?? adapterScenarios) {
      it(scenario.name, async () => {
        scenario.check(await sendProbe(running.baseUrl, scenario.request));
      });
    }
  });
}
