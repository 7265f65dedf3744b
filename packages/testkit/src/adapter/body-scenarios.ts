import { expect, vi } from 'vitest';
import { type RawAnswer, rawExchange } from '../raw-exchange.js';
import { bodyEvents, CONFORMANCE_BODY_TIMEOUT_MS, serverErrors } from './body-fixture.js';
import { expectProfile } from './expect.js';
import type { AdapterScenario } from './scenario.js';

const head = (path: string, fields: readonly string[]) =>
  `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n${fields.map((f) => `${f}\r\n`).join('')}\r\n`;

/** Long enough for a 408 after the short deadline, far below Node's own 300 s request timeout. */
const WAIT_MS = 3000;

function expectRawProblem(answer: RawAnswer, status: number, code: string): Record<string, unknown> {
  expect(answer.status, `status after ${answer.elapsedMs} ms`).toBe(status);
  expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = JSON.parse(answer.body) as Record<string, unknown>;
  expect(body).toMatchObject({ status, code, type: `urn:bulwark:problem:${code}` });
  expect(answer.body).not.toMatch(/\n\s+at |node_modules|stack/i);
  return body;
}

/** A raw answer read through the probe helpers that take a parsed response. */
function asProbe(answer: RawAnswer) {
  return {
    status: answer.status,
    headers: answer.headers,
    fields: Object.entries(answer.headers),
    text: answer.body,
    header: (name: string) => answer.headers[name.toLowerCase()],
    json: () => JSON.parse(answer.body),
  };
}

function expectTimedOut(answer: RawAnswer, before: number): void {
  expectRawProblem(answer, 408, 'request_timeout');
  expect(answer.headers.connection).toBe('close');
  // Closed once the answer is out: the rest of the body is never read.
  expect(answer.closedByServer).toBe(true);
  expect(answer.elapsedMs).toBeGreaterThanOrEqual(CONFORMANCE_BODY_TIMEOUT_MS - 20);
  expectProfile(asProbe(answer));
  expect(bodyEvents.slice(before)).toEqual([
    expect.objectContaining({ type: 'validation.failed', target: 'body', status: 408 }),
  ]);
}

/** Watches what an app reports as a server fault while `run` goes on. */
async function expectNoServerFault(run: () => Promise<void>): Promise<void> {
  const before = serverErrors.length;
  const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
  try {
    await run();
    expect(serverErrors.slice(before)).toEqual([]);
    expect(logged).not.toHaveBeenCalled();
  } finally {
    logged.mockRestore();
  }
}

/** Body scenarios: deadlines, aborted uploads, repeated Content-Type, handler errors behind validate(). */
export const bodyScenarios: readonly AdapterScenario[] = [
  {
    name: 'Body: a body trickled too slowly overall is 408 problem+json at the deadline, then the connection closes',
    async run(_send, { baseUrl }) {
      const before = bodyEvents.length;
      const body = JSON.stringify({ title: 'x'.repeat(80) });
      const answer = await rawExchange(
        baseUrl,
        head('/v2/slow', ['Content-Type: application/json', `Content-Length: ${body.length}`]),
        async (w) => {
          // A byte every 40 ms: never idle for long, yet the whole body would take seconds.
          for (const byte of body) {
            if (w.closed) return;
            w.write(byte);
            await w.pause(40);
          }
        },
        { waitMs: WAIT_MS, untilClosed: true },
      );
      expectTimedOut(answer, before);
    },
  },
  {
    name: 'Body: a chunked body that stalls is 408 problem+json at the deadline, then the connection closes',
    async run(_send, { baseUrl }) {
      const before = bodyEvents.length;
      const answer = await rawExchange(
        baseUrl,
        head('/v2/slow', ['Content-Type: application/json', 'Transfer-Encoding: chunked']),
        (w) => {
          w.write('9\r\n{"title":\r\n');
        },
        { waitMs: WAIT_MS, untilClosed: true },
      );
      expectTimedOut(answer, before);
    },
  },
  {
    name: 'Body: a body that arrives in time under the deadline is accepted',
    async run(send) {
      const res = await send({
        method: 'POST',
        path: '/v2/slow',
        headers: { 'content-type': 'application/json' },
        body: '{"title":"on time"}',
      });
      expect(res.status).toBe(201);
    },
  },
  {
    name: 'Body: an upload the client aborts is no server error: no onError, no server.error, nothing logged',
    async run(_send, { baseUrl }) {
      await expectNoServerFault(async () => {
        await rawExchange(
          baseUrl,
          head('/v2/notes', ['Content-Type: application/json', 'Content-Length: 1000']),
          async (w) => {
            w.write('{"title":"half');
            await w.pause(50);
            w.destroy();
          },
          // The server sees the reset at once on loopback; this leaves it time to (mis)report it.
          { waitMs: 300, untilClosed: true },
        );
      });
    },
  },
  ...[
    ['two differing Content-Type fields', ['Content-Type: application/json', 'Content-Type: text/plain']],
    ['two identical Content-Type fields', ['Content-Type: application/json', 'Content-Type: application/json']],
    ['a Content-Type field that is a list', ['Content-Type: application/json, text/plain']],
  ].map(
    ([what, fields]): AdapterScenario => ({
      name: `Body: ${what as string} on a validated route is 400 problem+json`,
      async run(_send, { baseUrl }) {
        const body = '{"title":"x"}';
        const answer = await rawExchange(
          baseUrl,
          head('/v2/notes', [...(fields as string[]), `Content-Length: ${body.length}`]),
          (w) => {
            w.write(body);
          },
          { waitMs: WAIT_MS },
        );
        expectRawProblem(answer, 400, 'bad_request');
        expectProfile(asProbe(answer));
      },
    }),
  ),
  {
    name: 'Body: a quoted comma in a Content-Type parameter is not a second field',
    async run(_send, { baseUrl }) {
      const body = '{"title":"x"}';
      const answer = await rawExchange(
        baseUrl,
        head('/v2/notes', ['Content-Type: application/json; x="a,b"', `Content-Length: ${body.length}`]),
        (w) => {
          w.write(body);
        },
        { waitMs: WAIT_MS },
      );
      expect(answer.status).toBe(201);
    },
  },
  ...(
    [
      ['store_unavailable', 503],
      ['forbidden', 403],
      ['not_found', 404],
    ] as const
  ).map(
    ([code, status]): AdapterScenario => ({
      name: `Body: a validated route whose handler throws a ${status} ${code} answers ${status}`,
      async run(send) {
        const res = await send({
          method: 'POST',
          path: `/v2/refuse/${code}`,
          headers: { 'content-type': 'application/json' },
          body: '{"reason":"test"}',
        });
        expect(res.status).toBe(status);
        expect(res.header('content-type')).toMatch(/^application\/problem\+json/);
        expect(res.json()).toMatchObject({ status, code });
        expectProfile(res);
      },
    }),
  ),
];
