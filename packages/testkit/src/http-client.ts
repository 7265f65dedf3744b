import { request } from 'node:http';

export interface ProbeRequest {
  readonly method: string;
  /**
   * The request target, sent as written: origin-form (`/v2/notes?x`), but also any other
   * form a test needs (`http://x:99999/v2/notes`, `*`, `/v2\\notes#x`). The connection
   * always goes to the base URL.
   */
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array;
}

export interface ProbeResponse {
  readonly status: number;
  /** Lower-case names; repeated fields joined with `, ` (set-cookie kept as a list). */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Every header field in the order and number sent, names lower-cased, values as sent. */
  readonly fields: ReadonlyArray<readonly [string, string]>;
  readonly text: string;
  header(name: string): string | undefined;
  json(): unknown;
}

/**
 * Sends one request with `node:http`, so tests control every header (fetch would refuse or
 * rewrite `Origin` and friends) and the request target (Node writes `path` verbatim into
 * the request line; it only refuses whitespace and control characters), and see the raw
 * answer.
 */
export function sendProbe(baseUrl: string, probe: ProbeRequest): Promise<ProbeResponse> {
  // The server comes from the base URL alone: an absolute-form target names another host
  // (or an unparseable one) on purpose.
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        hostname: url.hostname,
        port: url.port,
        path: probe.path,
        method: probe.method,
        headers: probe.headers,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const headers = res.headers;
          const fields: [string, string][] = [];
          for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
            fields.push([(res.rawHeaders[i] ?? '').toLowerCase(), res.rawHeaders[i + 1] ?? '']);
          }
          resolve({
            status: res.statusCode ?? 0,
            headers,
            fields,
            text,
            header: (name) => {
              const value = headers[name.toLowerCase()];
              return Array.isArray(value) ? value.join(', ') : value;
            },
            json: () => JSON.parse(text),
          });
        });
      },
    );
    req.on('error', reject);
    if (probe.body !== undefined) req.write(probe.body);
    req.end();
  });
}
