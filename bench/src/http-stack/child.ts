/**
 * One server of the http-stack benchmark in a process of its own, forked through
 * http/load.ts's `spawnServer(..., { child })`: the protocol of http/child.ts (`ready`,
 * `cpu`, `exit`), with this bench's servers.
 */
import type { ChildMessage, ParentMessage } from '../http/child.js';
import type { StartServer } from '../http/listen.js';
import { FRAMEWORKS, type Framework, type GuardForm, VARIANTS, type Variant } from '../http/scenario.js';
import { startExpress } from './express.js';
import { startFastify } from './fastify.js';
import { startHono } from './hono.js';
import { startKoa } from './koa.js';

const STARTERS: Record<Framework, StartServer> = {
  express: startExpress,
  fastify: startFastify,
  koa: startKoa,
  hono: startHono,
};

const send = (message: ChildMessage) => process.send?.(message);

async function main(): Promise<void> {
  const [framework, variant, form] = process.argv.slice(2) as [Framework, Variant, GuardForm];
  if (!FRAMEWORKS.includes(framework) || !VARIANTS.includes(variant) || (form !== 'list' && form !== 'each'))
    throw new Error(`usage: child.ts <${FRAMEWORKS.join('|')}> <${VARIANTS.join('|')}> <list|each>`);
  const server = await STARTERS[framework](variant, form);
  process.on('message', (message: ParentMessage) => {
    if (message.type === 'cpu') {
      const usage = process.cpuUsage();
      send({ type: 'cpu', micros: usage.user + usage.system });
    } else if (message.type === 'exit') {
      setTimeout(() => process.exit(0), 2000).unref();
      void server.close().finally(() => process.exit(0));
    }
  });
  process.on('disconnect', () => process.exit(0));
  send({ type: 'ready', port: server.port });
}

main().catch((err: unknown) => {
  send({ type: 'failed', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  process.exit(1);
});
