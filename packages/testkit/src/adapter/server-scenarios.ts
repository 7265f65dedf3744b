import { expect } from 'vitest';
import { expectProfile } from './expect.js';
import type { AdapterScenario } from './scenario.js';

const sized = (contentType: string, body: string) => ({
  // An explicit Content-Length: node:http sends a DELETE body unframed otherwise.
  headers: { 'content-type': contentType, 'content-length': String(Buffer.byteLength(body)) },
  body,
});

const BODIES: ReadonlyArray<readonly [string, string, string]> = [
  ['invalid JSON', 'application/json', '{"title":'],
  ['a type no parser knows', 'application/xml', '<note/>'],
  ['JSON over a framework parser limit (1 MB)', 'application/json', JSON.stringify({ x: 'y'.repeat(1_200_000) })],
];

/**
 * Only `validate()` reads bodies: a route without it answers the same whatever body comes
 * (Fastify's own parsers used to turn these into 400, 415 and 413 on Fastify alone).
 */
export const serverScenarios: readonly AdapterScenario[] = BODIES.flatMap(([what, type, body]) => [
  {
    name: `Bodies: a POST route without validate() ignores ${what}`,
    request: { method: 'POST', path: '/v2/pings', ...sized(type, body) },
    check(res) {
      expect(res.status).toBe(200);
      expect(res.json()).toEqual({ pong: true });
      expectProfile(res);
    },
  },
  {
    name: `Bodies: a DELETE route without validate() ignores ${what}`,
    request: { method: 'DELETE', path: '/v2/pings/7', ...sized(type, body) },
    check(res) {
      expect(res.status).toBe(200);
      expect(res.json()).toEqual({ deleted: '7' });
    },
  },
]);
