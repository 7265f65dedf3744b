import { createServer, type Server } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { startRedisCluster, startRedisServer } from './redis-servers.js';
import { describeWithService, portOpen } from './services.js';

/** This file's ports: 30791-30793 (others use 30701-30775). */
const BASE = 30791;

const redisUp = await portOpen('127.0.0.1', 6379);
const holders: Server[] = [];

/** Holds a loopback port, as a server an earlier run left behind would. */
function hold(port: number): Promise<void> {
  const server = createServer();
  holders.push(server);
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
}

afterEach(async () => {
  await Promise.all(holders.splice(0).map((s) => new Promise((r) => s.close(() => r(undefined)))));
});

it('refuses a port already in use instead of taking the server there for its own', async () => {
  await hold(BASE);
  await expect(startRedisServer(BASE)).rejects.toThrow(/port 30791 is already in use/);
});

describeWithService('redis-server and redis-cli', redisUp, 'startRedisCluster', () => {
  it('stops the nodes it started when another cannot start: no port stays taken', async () => {
    await hold(BASE + 1);
    await expect(startRedisCluster(BASE)).rejects.toThrow(/already in use/);
    expect(await portOpen('127.0.0.1', BASE)).toBe(false);
    expect(await portOpen('127.0.0.1', BASE + 2)).toBe(false);
  }, 30_000);
});
