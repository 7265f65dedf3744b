import { expect } from 'vitest';
import { expectProblem, expectProfile } from './expect.js';
import type { AdapterScenario } from './scenario.js';
import { THROWN_STATUS_MESSAGE } from './status-fixture.js';

/** A status thrown by a handler: kept when it is a registered 4xx, else 400 or 500. */
export const statusScenarios: readonly AdapterScenario[] = [
  {
    name: 'Problems: a handler that throws a registered 4xx (409, 408, 412, 451) keeps its status, not its message',
    async run(send) {
      for (const [status, code] of [
        [409, 'conflict'],
        [408, 'request_timeout'],
        [412, 'precondition_failed'],
        [451, 'unavailable_for_legal_reasons'],
      ] as const) {
        const res = await send({ method: 'GET', path: `/v2/throws/${status}` });
        expectProblem(res, status, code);
        expect(res.text).not.toContain(THROWN_STATUS_MESSAGE);
        expectProfile(res);
      }
    },
  },
  {
    name: 'Problems: a thrown 407, 418 or unregistered 4xx is 400; a thrown 3xx or 5xx is 500',
    async run(send) {
      for (const [status, expected, code] of [
        [407, 400, 'bad_request'],
        [418, 400, 'bad_request'],
        [499, 400, 'bad_request'],
        [302, 500, 'internal_error'],
        [502, 500, 'internal_error'],
      ] as const) {
        const res = await send({ method: 'GET', path: `/v2/throws/${status}` });
        expectProblem(res, expected, code);
        expect(res.text).not.toContain(THROWN_STATUS_MESSAGE);
      }
    },
  },
];
