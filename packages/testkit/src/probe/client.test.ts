import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProbeLimitError, probeHttp } from './client.js';
import { probeTarget } from './run.js';

let server: Server;
let url: string;
let seen = 0;
beforeAll(async () => {
  server = createServer((req, res) => {
    seen += 1;
    req.resume();
    req.on('end', () => res.end('ok'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('probeHttp', () => {
  it('stops at the budget: the request past it is never sent', async () => {
    const http = probeHttp({ baseUrl: url, budget: 2, rate: 1000, allowWrites: false, timeoutMs: 2000 });
    const before = seen;
    await http.send({ method: 'GET', path: '/' });
    await http.send({ method: 'GET', path: '/' });
    await expect(http.send({ method: 'GET', path: '/' })).rejects.toBeInstanceOf(ProbeLimitError);
    expect(seen - before).toBe(2);
    expect(http.remaining).toBe(0);
  });

  it('sends only safe methods unless writes are allowed or the request is consented', async () => {
    const http = probeHttp({ baseUrl: url, budget: 10, rate: 1000, allowWrites: false, timeoutMs: 2000 });
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      await expect(http.send({ method, path: '/' })).rejects.toThrow(/--allow-writes/);
    }
    expect(http.sent).toBe(0);
    expect((await http.send({ method: 'POST', path: '/', body: '{}' }, { consented: true })).status).toBe(200);
    const writer = probeHttp({ baseUrl: url, budget: 10, rate: 1000, allowWrites: true, timeoutMs: 2000 });
    expect((await writer.send({ method: 'DELETE', path: '/' })).status).toBe(200);
  });

  it('keeps to the rate', async () => {
    const http = probeHttp({ baseUrl: url, budget: 10, rate: 20, allowWrites: false, timeoutMs: 2000 });
    const started = performance.now();
    for (let i = 0; i < 5; i++) await http.send({ method: 'GET', path: '/' });
    // 5 requests at 20/s: at least 4 intervals of 50 ms.
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
  });
});

describe('probeTarget', () => {
  it('refuses a target that is not loopback without iOwnThisTarget, naming the option', () => {
    expect(() => probeTarget({ baseUrl: 'https://api.example.com' })).toThrow(/iOwnThisTarget/);
    expect(() => probeTarget({ baseUrl: 'http://10.0.0.1:3000' })).toThrow(/iOwnThisTarget/);
    expect(probeTarget({ baseUrl: 'https://api.example.com', iOwnThisTarget: true }).baseUrl).toBe(
      'https://api.example.com',
    );
    for (const local of ['http://localhost:3000', 'http://127.0.0.1:1', 'http://127.8.9.10', 'http://[::1]:3000']) {
      expect(probeTarget({ baseUrl: local }).baseUrl).toBe(new URL(local).origin);
    }
  });

  it('refuses malformed options', () => {
    expect(() => probeTarget({ baseUrl: 'ftp://127.0.0.1' })).toThrow(/baseUrl/);
    expect(() => probeTarget({ baseUrl: 'nope' })).toThrow(/baseUrl/);
    expect(() => probeTarget({ baseUrl: 'http://127.0.0.1', origin: 'http://a.test/path' })).toThrow(/origin/);
    expect(() => probeTarget({ baseUrl: 'http://127.0.0.1', protectedPaths: ['v2'] })).toThrow(/routes/);
  });
});
