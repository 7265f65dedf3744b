import { corsPolicy } from '@bulwark/cors-policy';
import { applyAllow, nodeHeaderSink, nodeRequestView, sendDecision } from '@bulwark/node';
import cors from 'cors';
import { fakeRequest, fakeResponse } from './fake-http.js';
import { type Comparison, compare, type Result } from './harness.js';

const NAMES: Record<number, string> = {
  1: 'cors.decision.1origin',
  100: 'cors.decision.100origins',
  1000: 'cors.decision.1000origins',
};

function comparison(count: number): Comparison {
  const origins = Array.from({ length: count }, (_, i) => `https://app${i}.example.com`);
  // The same configuration on both sides: an exact allowlist, credentials, one exposed header.
  const ours = corsPolicy({ origins, credentials: true, exposedHeaders: ['x-request-id'] });
  const theirs = cors({ origin: origins, credentials: true, exposedHeaders: ['x-request-id'] });
  // Every request comes from an allowed origin, cycling through the whole list so a linear
  // scan pays its average cost. There are always 1,000 distinct request objects, whatever
  // the list size, so every case touches the same amount of memory per round.
  const requests = Array.from({ length: 1000 }, (_, i) =>
    fakeRequest('GET', '/v2/notes', { origin: origins[i % count] as string }),
  );
  const res = fakeResponse();
  const next = () => {};
  return {
    bench: NAMES[count] as string,
    anchor: 'cors',
    ours(i) {
      const req = requests[i % 1000] as (typeof requests)[number];
      res.reset();
      const decision = ours.evaluate(nodeRequestView(req));
      if (decision.kind === 'allow') applyAllow(nodeHeaderSink(res), decision);
      else sendDecision(res, decision, 'GET');
    },
    theirs(i) {
      res.reset();
      theirs(requests[i % 1000] as (typeof requests)[number], res, next);
    },
  };
}

export async function corsBench(): Promise<Result[]> {
  const results: Result[] = [];
  for (const count of [1, 100, 1000]) results.push(await compare(comparison(count)));
  return results;
}
