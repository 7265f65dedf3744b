import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendProbe } from '../http-client.js';
import { sendRaw } from '../raw-client.js';
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
        if ('raw' in scenario) scenario.check(await sendRaw(running.baseUrl, scenario.raw));
        else if ('run' in scenario) await scenario.run((request) => sendProbe(running.baseUrl, request), running);
        else scenario.check(await sendProbe(running.baseUrl, scenario.request));
      });
    }
    it('answers arbitrary bodies and query strings without a 5xx, always problem+json on errors (property)', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            fc.uint8Array({ maxLength: 200 }),
            fc.json({ maxDepth: 4 }).map((t) => new TextEncoder().encode(t)),
          ),
          fc.string({ maxLength: 60 }).map((q) => encodeURI(q).replace(/#/g, '%23')),
          async (body, query) => {
            const post = await sendProbe(running.baseUrl, {
              method: 'POST',
              path: '/v2/notes',
              headers: { 'content-type': 'application/json' },
              body,
            });
            const get = await sendProbe(running.baseUrl, { method: 'GET', path: `/v2/search?${query}` });
            for (const res of [post, get]) {
              expect(res.status).toBeLessThan(500);
              if (res.status >= 400) expect(res.header('content-type')).toMatch(/^application\/problem\+json/);
            }
          },
        ),
        { numRuns: 40 },
      );
    });
  });
}
