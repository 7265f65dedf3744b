import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ProbeRequest, type ProbeResponse, sendProbe } from '../http-client.js';
import { sendRaw } from '../raw-client.js';
import type { AdapterDriver, ConformanceApp, RunningApp } from './driver.js';
import { conformanceApp } from './fixture.js';
import type { AdapterScenario } from './scenario.js';
import { adapterScenarios } from './scenarios.js';

/**
 * Header fields that belong to the HTTP server, not to the answer Bulwark and the app
 * build: the server's clock (`Date`) and connection management (RFC 9110 §7.6.1, RFC 9112
 * §6.1). They are left out of the comparison; every other field must be equal.
 */
export const SERVER_OWNED_HEADERS: ReadonlySet<string> = new Set([
  'date',
  'connection',
  'keep-alive',
  'transfer-encoding',
]);

/** What is compared across frameworks: the status, every field in order (server fields aside), the body. */
export interface ComparableAnswer {
  readonly status: number;
  readonly fields: ReadonlyArray<readonly [string, string]>;
  readonly body: string;
}

/** How {@link comparableAnswer} orders fields: by name (the default), or as they were sent. */
export interface ComparableOptions {
  /**
   * `name` (default): sorted by name, a repeated field's lines in their order. `sent`: in
   * the order the server wrote them, for a set of answers known to agree on order too
   * (the demo's representative set).
   */
  readonly order?: 'name' | 'sent';
}

/**
 * The comparable part of an answer. The order of fields with different names carries no
 * meaning (RFC 9110 §5.3) and differs by server (Web `Headers`, which Hono's answers go
 * through, iterate sorted by name), so fields are sorted by name unless `order: 'sent'`;
 * the sort is stable, so the order of a repeated field's lines is kept, and every value is
 * compared as sent (the order of `Vary` tokens, of `Link` entries, of `RateLimit` items
 * included).
 *
 * @example
 * ```ts
 * const answer = comparableAnswer(await sendProbe(baseUrl, { method: 'GET', path: '/health' }), { order: 'sent' });
 * ```
 */
export function comparableAnswer(res: ProbeResponse, options: ComparableOptions = {}): ComparableAnswer {
  const kept = res.fields
    .filter(([name]) => !SERVER_OWNED_HEADERS.has(name))
    .map(([name, value]) => [name, value] as const);
  const fields = options.order === 'sent' ? kept : kept.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return { status: res.status, fields, body: res.text };
}

/** One framework's answers to one scenario, in the order they came. */
interface Recorded {
  readonly driver: string;
  readonly answers: readonly ComparableAnswer[];
}

/** Fails naming the framework whose answers differ from the first one's (vitest shows the diff). */
export function expectIdenticalAnswers(recorded: readonly Recorded[]): void {
  const [reference, ...others] = recorded;
  if (reference === undefined) return;
  for (const other of others) {
    expect(other.answers, `${other.driver} answered differently from ${reference.driver}`).toEqual(reference.answers);
  }
}

/** A fixed seed so that property scenarios send the same generated requests to every framework. */
const SEED = 1307;

async function recordScenario(scenario: AdapterScenario, target: RunningApp): Promise<ComparableAnswer[]> {
  if ('raw' in scenario) return [comparableAnswer(await sendRaw(target.baseUrl, scenario.raw))];
  if ('request' in scenario) return [comparableAnswer(await sendProbe(target.baseUrl, scenario.request))];
  const answers: ComparableAnswer[] = [];
  const send = async (request: ProbeRequest) => {
    const res = await sendProbe(target.baseUrl, request);
    answers.push(comparableAnswer(res));
    return res;
  };
  fc.configureGlobal({ ...fc.readConfigureGlobal(), seed: SEED });
  try {
    await scenario.run(send, target);
  } finally {
    fc.resetConfigureGlobal();
  }
  return answers;
}

/**
 * Registers one test per scenario that sends the scenario's requests to every framework
 * (each serving its own fresh app) and requires byte-identical answers: the same status,
 * the same header fields with the same values in the same order (minus
 * {@link SERVER_OWNED_HEADERS}) and the same body. Sequence scenarios are compared answer by
 * answer, through the `send` function they are given; their own assertions run as well.
 * Run it beside {@link runAdapterConformance}, which checks each framework on its own.
 *
 * @example
 * ```ts
 * runIdenticalAnswers([expressDriver, fastifyDriver, koaDriver, honoDriver]);
 * ```
 */
export function runIdenticalAnswers(
  drivers: readonly AdapterDriver[],
  options: { app?: () => ConformanceApp; scenarios?: readonly AdapterScenario[] } = {},
): void {
  describe(`identical answers: ${drivers.map((d) => d.name).join(', ')}`, () => {
    const running: RunningApp[] = [];
    beforeAll(async () => {
      for (const driver of drivers) running.push(await driver.start((options.app ?? conformanceApp)()));
    });
    afterAll(async () => {
      await Promise.all(running.map((r) => r.close()));
    });
    for (const scenario of options.scenarios ?? adapterScenarios) {
      // A scenario that states why routers may answer it differently is checked per
      // framework only (runAdapterConformance); it is not registered here, so that a
      // skipped test never stands in the report for one that cannot run.
      if (scenario.frameworksMayDiffer !== undefined) continue;
      it(scenario.name, async () => {
        const recorded: Recorded[] = [];
        // One framework after the other: sequence scenarios watch process-wide event logs.
        for (const [i, driver] of drivers.entries()) {
          const target = running[i];
          if (target === undefined) throw new Error(`${driver.name} did not start`);
          recorded.push({ driver: driver.name, answers: await recordScenario(scenario, target) });
        }
        expectIdenticalAnswers(recorded);
      });
    }
  });
}
