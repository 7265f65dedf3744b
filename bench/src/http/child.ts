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
import type { StartServer } from './listen.js';
import { FRAMEWORKS, type Framework, type GuardForm, VARIANTS, type Variant } from './scenario.js';

export type ChildMessage =
  | { readonly type: 'ready'; readonly port: number }
  | { readonly type: 'failed'; readonly message: string }
  | { readonly type: 'cpu'; readonly micros: number };
export type ParentMessage = { readonly type: 'cpu' } | { readonly type: 'exit' };

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
      // Keep-alive sockets the load generator left open must not hold the exit up.
      setTimeout(() => process.exit(0), 2000).unref();
      void server.close().finally(() => process.exit(0));
    }
  });
  // The parent going away (a crash, Ctrl-C) must not leave a server behind.
  process.on('disconnect', () => process.exit(0));
  send({ type: 'ready', port: server.port });
}

main().catch((err: unknown) => {
  send({ type: 'failed', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  process.exit(1);
});
