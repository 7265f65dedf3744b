/**
 * The body of a benchmark server process (http/child.ts, http-stack/child.ts): starts the
 * server its arguments name with one of `starters`, then speaks the IPC protocol of
 * http/child.ts (`ready` or `failed` once, `cpu` on request, `exit` to close).
 */
import type { ChildMessage, ParentMessage } from './child-protocol.js';
import type { StartServer } from './listen.js';
import { type GuardForm, PIPELINE_VARIANTS, SERVER_KINDS, type ServerKind, type Variant } from './scenario.js';

const send = (message: ChildMessage) => process.send?.(message);

/** A starter per framework; the `node` reference only where the script offers it (http/child.ts). */
export type Starters = Readonly<Partial<Record<ServerKind, StartServer>>>;

async function serve(starters: Starters): Promise<void> {
  const [framework, variant, form] = process.argv.slice(2) as [ServerKind, Variant, GuardForm];
  const start = starters[framework];
  if (start === undefined || !PIPELINE_VARIANTS.includes(variant) || (form !== 'list' && form !== 'each'))
    throw new Error(
      `usage: child.ts <${SERVER_KINDS.filter((kind) => starters[kind]).join('|')}> <${PIPELINE_VARIANTS.join('|')}> <list|each>`,
    );
  const server = await start(variant, form);
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

/** Runs this process as one benchmark server; a failure to start is reported, then exits 1. */
export function serveChild(starters: Starters): void {
  serve(starters).catch((err: unknown) => {
    send({ type: 'failed', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    process.exit(1);
  });
}
