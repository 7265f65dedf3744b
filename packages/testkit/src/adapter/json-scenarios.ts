import { expect } from 'vitest';
import { expectProblem, expectProfile } from './expect.js';
import type { AdapterScenario } from './scenario.js';

const post = (body: string) => ({
  method: 'POST',
  path: '/v2/notes',
  headers: { 'content-type': 'application/json' },
  body,
});

/** JSON decisions of `requestValidator`: lone surrogates refused, duplicate names last-wins. */
export const jsonScenarios: readonly AdapterScenario[] = [
  {
    name: 'Validation: a lone surrogate escape in a JSON string is 400 problem+json; a pair is accepted',
    async run(send) {
      for (const body of ['{"title":"a\\ud800"}', '{"title":"\\uDC00b"}', '{"title":"x","tags":["\\udbff"]}']) {
        const res = await send(post(body));
        expect(expectProblem(res, 400, 'bad_request').detail).toMatch(/surrogate/);
        expectProfile(res);
      }
      const pair = await send(post('{"title":"\\ud83d\\ude00"}'));
      expect(pair.status).toBe(201);
      expect(pair.json()).toMatchObject({ title: '\u{1F600}' });
    },
  },
  {
    name: 'Validation: duplicate JSON member names are read as JSON.parse reads them (the last wins), then validated',
    async run(send) {
      const res = await send(post('{"title":"first","title":"last"}'));
      expect(res.status).toBe(201);
      expect(res.json()).toEqual({ id: 'n1', title: 'last' });
      // The value the schema checks is the value the handler gets: a bad last value is refused.
      expectProblem(await send(post('{"title":"ok","title":""}')), 422, 'validation_failed');
    },
  },
];
