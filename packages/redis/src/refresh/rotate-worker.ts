// A second Node process for the refresh-token race tests: a store on the same Redis
// (standalone or Cluster) and prefix. It reads one JSON request per stdin line,
// `{ "id", "inputs": RotateInput[], "at"?: epoch ms }`, runs all the inputs' rotations at
// once (at `at`, when given, so both processes start together), and writes
// `{ "id", "results": RotateResult[] }` per line. It ends when stdin closes.
import { createInterface } from 'node:readline';
import type { RotateInput } from '@bulwark/tokens';
import { Cluster, Redis } from 'ioredis';
import { redisRefreshTokenStore } from './store.js';

const [mode, ports, prefix] = process.argv.slice(2);
const portList = (ports as string).split(',').map(Number);
const client =
  mode === 'cluster'
    ? new Cluster(portList.map((port) => ({ host: '127.0.0.1', port })))
    : new Redis({ host: '127.0.0.1', port: portList[0] as number });
const store = redisRefreshTokenStore({ client, prefix: prefix as string, timeout: '10s' });

async function serve(line: string): Promise<void> {
  const request = JSON.parse(line) as { id: number; inputs: RotateInput[]; at?: number };
  if (request.at !== undefined) {
    // A timer to just before the instant, then a few turns of the loop to it.
    await new Promise((r) => setTimeout(r, Math.max(0, (request.at as number) - Date.now() - 2)));
    while (Date.now() < request.at) await new Promise((r) => setImmediate(r));
  }
  const results = await Promise.all(request.inputs.map((input) => store.rotate(input)));
  process.stdout.write(`${JSON.stringify({ id: request.id, results })}\n`);
}

// A ping answers once the connection is ready: the parent waits for this line.
await client.ping();
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  void serve(line).catch((error: unknown) => {
    process.stdout.write(`${JSON.stringify({ id: JSON.parse(line).id, error: String(error) })}\n`);
  });
});
lines.on('close', () => void client.quit());
