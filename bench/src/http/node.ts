import { createServer } from 'node:http';
import { listenOnLoopback, type StartServer } from './listen.js';
import { FLOOR_HEADERS, NOTES, ROUTE } from './scenario.js';

/** FLOOR_HEADERS as writeHead's flat list: the one form in which Node handles each field once. */
const FIELDS: readonly string[] = Object.entries(FLOOR_HEADERS).flat();

/**
 * The reference of `pnpm bench http`: the route on `node:http` alone, no framework. `bare`
 * answers the notes; `floor` answers them with the twelve fields of Bulwark's answer, in
 * the cheapest way Node offers (one `writeHead` with a flat list: each field validated and
 * serialised once, nothing stored on the response). The difference is what the fields
 * cost in Node itself, below any framework: no adapter can send them for less.
 */
export const startNode: StartServer = async (variant) => {
  if (variant !== 'bare' && variant !== 'floor') throw new Error(`node: no ${variant} variant (bare and floor only)`);
  const withFields = variant === 'floor';
  const server = createServer((req, res) => {
    if (req.url !== ROUTE) {
      res.writeHead(404).end();
      return;
    }
    // Serialised per request, as each framework's c.json / res.json / reply.send does.
    const body = JSON.stringify(NOTES);
    const own = ['content-type', 'application/json; charset=utf-8', 'content-length', String(Buffer.byteLength(body))];
    res.writeHead(200, withFields ? [...FIELDS, ...own] : own);
    res.end(body);
  });
  return listenOnLoopback(server);
};
