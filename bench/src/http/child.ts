/**
 * One benchmark server in a process of its own (forked by http.bench.ts): the parent's
 * load generator never shares this process's CPU, heap or JIT, and `process.cpuUsage()` is
 * this server's alone.
 *
 * Protocol (IPC): `{ type: 'ready', port }` or `{ type: 'failed', message }` once; then
 * `{ type: 'cpu' }` is answered with `{ type: 'cpu', micros }` (user + system so far), and
 * `{ type: 'exit' }` closes the server and exits (so `--cpu-prof` writes its profile).
 */
import { startExpress } from './express.js';
import { startFastify } from './fastify.js';
import { startHono } from './hono.js';
import { startKoa } from './koa.js';
import { startNode } from './node.js';
import { serveChild } from './serve-child.js';

export type { ChildMessage, ParentMessage } from './child-protocol.js';

serveChild({ express: startExpress, fastify: startFastify, koa: startKoa, hono: startHono, node: startNode });
