import { type ChildProcess, fork } from 'node:child_process';
import { isDeepStrictEqual } from 'node:util';
import autocannon from 'autocannon';
import type { ChildMessage, ParentMessage } from './child-protocol.js';
import { type CodeUnderTest, tsconfigFor } from './code.js';
import { expectations, type GuardForm, NOTES, ORIGIN, ROUTE, type ServerKind, type Variant } from './scenario.js';

const CHILD = new URL('./child.ts', import.meta.url).pathname;

/** A benchmark server running in a child process. */
export interface ServerProcess {
  readonly framework: ServerKind;
  readonly variant: Variant;
  readonly form: GuardForm;
  readonly code: CodeUnderTest;
  readonly port: number;
  readonly pid: number;
  /** The child's CPU time so far (user + system), in microseconds. */
  cpuMicros(): Promise<number>;
  stop(): Promise<void>;
}

function nextMessage(child: ChildProcess, type: ChildMessage['type'] | 'any'): Promise<ChildMessage> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: ChildMessage) => {
      if (type !== 'any' && message.type !== type) return;
      cleanup();
      resolve(message);
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`server process exited (${code}) before answering`));
    };
    const cleanup = () => {
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

/**
 * Forks a fresh server process (`--import tsx`, as the bench runs TypeScript sources) and
 * waits for it to listen. `nodeArgs` are extra Node options for the child (`--cpu-prof`);
 * `code` picks the build or the sources of Bulwark (see code.ts); `quiet` drops its stderr (a probe expected to fail, see http.bench.ts).
 */
export async function spawnServer(
  framework: ServerKind,
  variant: Variant,
  form: GuardForm,
  options: {
    readonly code?: CodeUnderTest;
    readonly nodeArgs?: readonly string[];
    readonly quiet?: boolean;
    /** Another server script speaking child.ts's protocol (the http-stack bench's). */
    readonly child?: string;
  } = {},
): Promise<ServerProcess> {
  const code = options.code ?? 'src';
  const child = fork(options.child ?? CHILD, [framework, variant, form], {
    execArgv: ['--import', 'tsx', ...(options.nodeArgs ?? [])],
    env: { ...process.env, TSX_TSCONFIG_PATH: tsconfigFor(code) },
    stdio: ['ignore', 'inherit', options.quiet ? 'ignore' : 'inherit', 'ipc'],
  });
  const ready = await nextMessage(child, 'any');
  if (ready.type !== 'ready') {
    child.kill();
    throw new Error(`${framework}/${variant} did not start: ${ready.type === 'failed' ? ready.message : ready.type}`);
  }
  const post = (message: ParentMessage) => child.send(message);
  return {
    framework,
    variant,
    form,
    code,
    port: ready.port,
    pid: child.pid as number,
    async cpuMicros() {
      const answer = nextMessage(child, 'cpu');
      post({ type: 'cpu' });
      const message = await answer;
      return message.type === 'cpu' ? message.micros : Number.NaN;
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      post({ type: 'exit' });
      await exited;
    },
  };
}

/**
 * Checks one answer of the server before it is measured: 200, the JSON array, and the
 * headers its variant must (and must not) carry. Answers a list of problems, empty if none.
 */
export async function checkAnswer(server: ServerProcess): Promise<string[]> {
  const problems: string[] = [];
  let response: Response;
  try {
    response = await fetch(`http://127.0.0.1:${server.port}${ROUTE}`, { headers: { origin: ORIGIN } });
  } catch (err) {
    return [`request failed: ${String(err)}`];
  }
  if (response.status !== 200) problems.push(`status ${response.status}, expected 200`);
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  if (!isDeepStrictEqual(body, NOTES)) problems.push(`body ${text.slice(0, 120)}, expected the notes array`);
  const expected = expectations(server.framework, server.variant);
  for (const name of expected.present) if (!response.headers.has(name)) problems.push(`no ${name} header`);
  for (const name of expected.absent) if (response.headers.has(name)) problems.push(`unexpected ${name} header`);
  const allowOrigin = response.headers.get('access-control-allow-origin');
  if (server.variant !== 'bare' && allowOrigin !== ORIGIN)
    problems.push(`access-control-allow-origin ${allowOrigin}, expected ${ORIGIN}`);
  return problems;
}

/** Fields that belong to the connection or the moment, not to the answer: left out of `answerFields`. */
const CONNECTION_FIELDS = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding', 'etag']);

/**
 * An answer's header fields as `name: value` lines, sorted, without connection-management
 * ones; the RateLimit field's remaining quota and reset (`r=`, `t=`) read as `#`, as they
 * change from request to request.
 */
export async function answerFields(server: ServerProcess, headers: Readonly<Record<string, string>> = {}) {
  const response = await fetch(`http://127.0.0.1:${server.port}${ROUTE}`, { headers: { origin: ORIGIN, ...headers } });
  await response.arrayBuffer();
  return [...response.headers]
    .filter(([name]) => !CONNECTION_FIELDS.has(name))
    .map(([name, value]) => `${name}: ${name === 'ratelimit' ? value.replace(/;([rt])=\d+/g, ';$1=#') : value}`)
    .sort();
}

/**
 * Throws unless the `floor` server answers exactly the header fields Bulwark's does (names
 * and values, connection-management fields aside): the floor is "what the fields alone
 * cost" only if they are the same fields. `headers` go on both requests (a token).
 */
export async function checkFloorMatches(
  floor: ServerProcess,
  ours: ServerProcess,
  headers: Readonly<Record<string, string>> = {},
): Promise<void> {
  const [theirs, mine] = await Promise.all([answerFields(floor, headers), answerFields(ours, headers)]);
  const onlyFloor = theirs.filter((line) => !mine.includes(line));
  const onlyOurs = mine.filter((line) => !theirs.includes(line));
  if (onlyFloor.length > 0 || onlyOurs.length > 0)
    throw new Error(
      `${floor.framework}: the floor's fields differ from Bulwark's: floor only [${onlyFloor.join(' | ')}], Bulwark only [${onlyOurs.join(' | ')}]`,
    );
}

export interface LoadOptions {
  readonly connections: number;
  /** Seconds. */
  readonly duration: number;
  /** Sent on every request besides `Origin` (the http-stack bench's `Authorization`). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** One measured run: completed requests per second and the server's CPU µs per request. */
export interface Measurement {
  readonly requestsPerSecond: number;
  readonly cpuMicrosPerRequest: number;
  readonly requests: number;
}

/**
 * Loads the server with autocannon (every request a GET of the route with the allowed
 * `Origin`) and reads the child's CPU time before and after. Any answer other than 2xx, a
 * connection error or a timeout fails the run: a broken server would otherwise look fast.
 */
export async function measure(server: ServerProcess, options: LoadOptions): Promise<Measurement> {
  const cpuBefore = await server.cpuMicros();
  const result = await autocannon({
    url: `http://127.0.0.1:${server.port}${ROUTE}`,
    method: 'GET',
    headers: { origin: ORIGIN, ...options.headers },
    connections: options.connections,
    duration: options.duration,
  });
  const cpuAfter = await server.cpuMicros();
  if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0)
    throw new Error(
      `${server.framework}/${server.variant}: ${result.non2xx} non-2xx answers, ${result.errors} errors, ${result.timeouts} timeouts`,
    );
  const requests = result['2xx'];
  if (requests === 0) throw new Error(`${server.framework}/${server.variant}: no request completed`);
  const seconds = (result.finish.getTime() - result.start.getTime()) / 1000;
  return { requestsPerSecond: requests / seconds, cpuMicrosPerRequest: (cpuAfter - cpuBefore) / requests, requests };
}
