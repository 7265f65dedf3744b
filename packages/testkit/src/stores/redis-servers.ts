import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { portOpen } from './services.js';

const run = promisify(execFile);

export interface RedisProcess {
  readonly port: number;
  stop(): Promise<void>;
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function stopProcess(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

/**
 * Starts a throwaway `redis-server` on a loopback port (nothing kept on disk), for tests
 * that must stop and restart Redis without touching the shared server.
 */
export async function startRedisServer(port: number, extra: readonly string[] = []): Promise<RedisProcess> {
  // A server already there (one an earlier run left behind) would pass the wait below and be
  // used as if it were this one: say so instead.
  if (await portOpen('127.0.0.1', port))
    throw new Error(`port ${port} is already in use (a redis-server left running?)`);
  const dir = mkdtempSync(join(tmpdir(), `bulwark-redis-${port}-`));
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...extra],
    {
      stdio: 'ignore',
    },
  );
  try {
    await waitFor(() => portOpen('127.0.0.1', port), `redis-server on ${port}`);
  } catch (err) {
    await stopProcess(child);
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    port,
    stop: async () => {
      await stopProcess(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface RedisCluster {
  readonly nodes: ReadonlyArray<{ host: string; port: number }>;
  stop(): Promise<void>;
}

/** Starts a real 3-node Redis Cluster (masters only) on loopback ports `base`..`base+2`. */
export async function startRedisCluster(base: number): Promise<RedisCluster> {
  const ports = [base, base + 1, base + 2];
  const started = await Promise.allSettled(
    ports.map((port) =>
      startRedisServer(port, [
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        `nodes-${port}.conf`,
        '--cluster-node-timeout',
        '2000',
        // The bus port defaults to port + 10000 (40701...), inside Linux's ephemeral range
        // (32768-60999): a client socket of the busy test run holding that local port made a
        // node exit at start ("timed out waiting for redis-server"). 20701... never is one.
        '--cluster-port',
        String(port - 10_000),
      ]),
    ),
  );
  const servers = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failed = started.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed !== undefined) {
    // The nodes that did start must not outlive the test: a later run would find their ports taken.
    await Promise.all(servers.map((server) => server.stop()));
    throw failed.reason;
  }
  try {
    await run('redis-cli', [
      '--cluster',
      'create',
      ...ports.map((p) => `127.0.0.1:${p}`),
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ]);
    await waitFor(async () => {
      const states = await Promise.all(
        ports.map((p) => run('redis-cli', ['-p', String(p), 'cluster', 'info']).then((r) => r.stdout)),
      );
      return states.every((info) => info.includes('cluster_state:ok'));
    }, 'cluster_state:ok');
  } catch (err) {
    await Promise.all(servers.map((s) => s.stop()));
    throw err;
  }
  return {
    nodes: ports.map((port) => ({ host: '127.0.0.1', port })),
    stop: async () => {
      await Promise.all(servers.map((s) => s.stop()));
    },
  };
}
