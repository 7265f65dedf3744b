import { ConfigError } from '@bulwark/core';
import { probeHttp, probeTarget } from '@bulwark/testkit/probe';

/** GETs a document from the target (`--openapi /openapi.json`), under the same loopback rule as the probe. */
export async function sendProbeGet(baseUrl: string, path: string, iOwnThisTarget: boolean): Promise<string> {
  const target = probeTarget({ baseUrl, iOwnThisTarget });
  const http = probeHttp({ baseUrl: target.baseUrl, budget: 1, rate: 1, allowWrites: false, timeoutMs: 10_000 });
  const answer = await http.send({ method: 'GET', path, headers: { accept: 'application/json' } });
  if (answer.status !== 200) throw new ConfigError('--openapi', `GET ${path} answered ${answer.status}`);
  return answer.text;
}
