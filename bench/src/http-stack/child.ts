/**
 * One server of the http-stack benchmark in a process of its own, forked through
 * http/load.ts's `spawnServer(..., { child })`: the protocol of http/child.ts (`ready`,
 * `cpu`, `exit`), with this bench's servers.
 */
import { serveChild } from '../http/serve-child.js';
import { startExpress } from './express.js';
import { startFastify } from './fastify.js';
import { startHono } from './hono.js';
import { startKoa } from './koa.js';

serveChild({ express: startExpress, fastify: startFastify, koa: startKoa, hono: startHono });
