import { checkOptions } from '@bulwark/core';
import { exchange, type ProbeAnswer, type ProbeHttpRequest } from './exchange.js';

/** Methods that change nothing on the server (RFC 9110 9.2.1): the only ones sent without `allowWrites`. */
export const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

export interface ProbeHttpOptions {
  readonly baseUrl: string;
  /** The most requests of the whole run. */
  readonly budget: number;
  /** The most requests per second. */
  readonly rate: number;
  /** Send methods other than GET, HEAD, OPTIONS and TRACE. */
  readonly allowWrites: boolean;
  readonly timeoutMs: number;
  /** Sent on every request (a check's own fields win). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Told about every answer (the CLI's progress display). */
  readonly onAnswer?: (answer: ProbeAnswer) => void;
}

/**
 * Why a request was not sent: the check that wanted it is skipped, not failed. Control flow
 * inside the runner (it never reaches a caller), hence not a BulwarkError with a public code.
 */
export class ProbeLimitError extends Error {
  constructor(
    readonly reason: 'budget' | 'writes',
    message: string,
  ) {
    super(message);
    this.name = 'ProbeLimitError';
  }
}

/** The probe's HTTP client: a request budget, a rate, and safe methods only unless writes are allowed. */
export interface ProbeHttp {
  /**
   * Sends one request. `consented` marks a request the user asked for by name (the login
   * recipe's POST): it is sent without `allowWrites`.
   */
  send(req: ProbeHttpRequest, options?: { readonly consented?: boolean }): Promise<ProbeAnswer>;
  /** Requests sent so far. */
  readonly sent: number;
  /** Requests left in the budget. */
  readonly remaining: number;
  readonly allowWrites: boolean;
}

/**
 * The probe's bounded client: a request past the budget, or a non-safe method without
 * `allowWrites`, throws a `ProbeLimitError` (the runner turns it into a skip) and is not sent.
 *
 * @example
 * ```ts
 * const http = probeHttp({ baseUrl: 'http://127.0.0.1:3000', budget: 100, rate: 20, allowWrites: false, timeoutMs: 5000 });
 * const answer = await http.send({ method: 'GET', path: '/health', headers: { origin: 'null' } });
 * ```
 */
export function probeHttp(options: ProbeHttpOptions): ProbeHttp {
  checkOptions(options, ['baseUrl', 'budget', 'rate', 'allowWrites', 'timeoutMs', 'headers', 'onAnswer']);
  const base = new URL(options.baseUrl);
  const interval = 1000 / options.rate;
  let sent = 0;
  let next = 0;
  // One queue: the rate holds across checks, and requests leave in the order asked.
  let queue: Promise<unknown> = Promise.resolve();
  const slot = () => {
    const turn = queue.then(async () => {
      const wait = next - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      next = Math.max(performance.now(), next) + interval;
    });
    queue = turn;
    return turn;
  };
  return {
    get sent() {
      return sent;
    },
    get remaining() {
      return options.budget - sent;
    },
    allowWrites: options.allowWrites,
    async send(req, { consented = false } = {}) {
      const method = req.method.toUpperCase();
      if (!SAFE_METHODS.has(method) && !options.allowWrites && !consented) {
        throw new ProbeLimitError('writes', `${method} needs --allow-writes`);
      }
      if (sent >= options.budget)
        throw new ProbeLimitError('budget', `the request budget (${options.budget}) is spent`);
      sent += 1;
      await slot();
      const answer = await exchange(
        base,
        { ...req, headers: { ...options.headers, ...req.headers } },
        options.timeoutMs,
      );
      options.onAnswer?.(answer);
      return answer;
    },
  };
}
