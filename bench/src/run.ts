import { apikeysBench } from './apikeys.bench.js';
import { cliBench } from './cli.bench.js';
import { corsBench } from './cors.bench.js';
import { type Result, report } from './harness.js';
import { httpBench } from './http.bench.js';
import { httpStackBench } from './http-stack.bench.js';
import { lockoutBench } from './lockout.bench.js';
import { passwordsBench } from './passwords.bench.js';
import { postgresRefreshBench } from './postgres/refresh.bench.js';
import { postgresApikeysBench } from './postgres-apikeys.bench.js';
import { ratelimitBench } from './ratelimit.bench.js';
import { refreshBench } from './refresh/refresh.bench.js';
import { tokensBench } from './tokens.bench.js';
import { validationBench } from './validation.bench.js';

const BENCHES: Record<string, () => Result[] | Promise<Result[]>> = {
  cors: corsBench,
  validation: validationBench,
  ratelimit: ratelimitBench,
  http: httpBench,
  'http-stack': httpStackBench,
  passwords: passwordsBench,
  tokens: tokensBench,
  apikeys: apikeysBench,
  'postgres.apikeys': postgresApikeysBench,
  'tokens.refresh': refreshBench,
  lockout: lockoutBench,
  cli: cliBench,
  'postgres.refresh': postgresRefreshBench,
};

const wanted = process.argv.slice(2).filter((a) => a !== '--');
const unknown = wanted.filter((name) => !(name in BENCHES));
if (unknown.length > 0) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; available: ${Object.keys(BENCHES).join(', ')}`);
  process.exit(2);
}
const results: Result[] = [];
for (const name of wanted.length > 0 ? wanted : Object.keys(BENCHES)) {
  results.push(...(await (BENCHES[name] as () => Result[] | Promise<Result[]>)()));
}
report(results);
