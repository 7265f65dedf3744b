import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { manualClock, type SecurityEvent } from '@bulwark/core';
import { base64url, exportJWK, generateKeyPair, type JWK, jwtVerify, SignJWT } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SigningAlgorithm } from '../keys.js';
import { type RemoteJwksOptions, remoteJwks } from './remote-jwks.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

let server: Server;
let base: string;
let handler: Handler;
let hits = 0;
beforeAll(async () => {
  server = createServer((req, res) => {
    hits++;
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  hits = 0;
});

interface TestKey {
  readonly kid: string;
  readonly alg: SigningAlgorithm;
  readonly privateKey: CryptoKey;
  readonly jwk: JWK;
}
async function makeKey(alg: SigningAlgorithm, kid: string): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg);
  return { kid, alg, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}
const serve =
  (body: unknown, headers: Record<string, string> = { 'cache-control': 'public, max-age=300' }): Handler =>
  (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', ...headers });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };
const T0 = Date.UTC(2030, 0, 1);
const tick = () => new Promise((resolve) => setTimeout(resolve, 20));

let es: TestKey;
let ed: TestKey;
beforeAll(async () => {
  es = await makeKey('ES256', 'es-1');
  ed = await makeKey('EdDSA', 'ed-1');
});

function source(extra: RemoteJwksOptions = {}, path = '/jwks') {
  const clock = manualClock(T0);
  const events: SecurityEvent[] = [];
  const keys = remoteJwks(`${base}${path}`, {
    allowHttpLoopback: true,
    clock,
    onEvent: (e) => events.push(e),
    ...extra,
  });
  return { clock, events, keys };
}

describe('remoteJwks: configuration', () => {
  it.each([
    ['http://issuer.example/jwks', {}, /must be https/],
    ['http://127.0.0.1:1/jwks', {}, /allowHttpLoopback/],
    ['ftp://issuer.example/jwks', {}, /must be https/],
    ['https://user:pw@issuer.example/jwks', {}, /credentials/],
    ['not a url', {}, /absolute/],
    ['http://10.0.0.1/jwks', { allowHttpLoopback: true }, /must be https/],
  ])('refuses %s', (url, options, message) => {
    expect(() => remoteJwks(url, options)).toThrow(
      expect.objectContaining({ name: 'ConfigError', option: 'url', message: expect.stringMatching(message) }),
    );
  });

  it('takes https anywhere, and http on loopback with the opt-in', () => {
    expect(() => remoteJwks('https://issuer.example/.well-known/jwks.json')).not.toThrow();
    for (const host of ['127.0.0.1', 'localhost', '[::1]', '127.1.2.3'])
      expect(() => remoteJwks(`http://${host}:8080/jwks`, { allowHttpLoopback: true })).not.toThrow();
  });

  it.each([
    [{ algorithms: ['HS256'] }, 'algorithms'],
    [{ algorithms: ['none'] }, 'algorithms'],
    [{ algorithms: [] }, 'algorithms'],
    [{ timeout: 0 }, 'timeout'],
    [{ maxBytes: 0 }, 'maxBytes'],
    [{ minTtl: '1h', maxTtl: '1m' }, 'maxTtl'],
    [{ cooldown: 'soon' }, 'cooldown'],
    [{ cooldwn: '1s' }, 'cooldwn'],
  ])('refuses %o', (options, option) => {
    expect(() => remoteJwks('https://issuer.example/jwks', options as RemoteJwksOptions)).toThrow(
      expect.objectContaining({ name: 'ConfigError', option }),
    );
  });
});

describe('remoteJwks: keys', () => {
  it('verifies tokens signed by each key of the set, each key bound to its alg', async () => {
    handler = serve({ keys: [es.jwk, ed.jwk] });
    const { keys } = source();
    for (const k of [es, ed]) {
      const token = await new SignJWT({ sub: 'x' }).setProtectedHeader({ alg: k.alg, kid: k.kid }).sign(k.privateKey);
      const found = await keys.key(k.kid);
      expect(found?.alg).toBe(k.alg);
      await jwtVerify(token, found?.key as CryptoKey, { algorithms: [k.alg] });
    }
    expect(hits).toBe(1);
  });

  it('imports each key once: the same key object for every token and across refetches while unchanged', async () => {
    handler = serve({ keys: [es.jwk] });
    const { clock, keys } = source();
    const first = await keys.key('es-1');
    for (let i = 0; i < 1000; i++) expect(keys.key('es-1')).toBe(first);
    clock.advance(2 * 3_600_000);
    expect(await keys.key('es-1')).toBe(first);
    expect(hits).toBe(2);
  });

  it('leaves out symmetric keys, keys without alg or outside the allowlist, private keys, duplicate kids, short RSA keys', async () => {
    const rsa = await makeKey('RS256', 'rs-1');
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const privateJwk = { ...(await exportJWK(privateKey)), kid: 'priv', alg: 'ES256' };
    const short = {
      kty: 'RSA',
      n: base64url.encode(new Uint8Array(128).fill(5)),
      e: 'AQAB',
      kid: 'short',
      alg: 'RS256',
    };
    const { alg: _alg, ...noAlg } = { ...ed.jwk, kid: 'no-alg' };
    handler = serve({
      keys: [
        es.jwk,
        { kty: 'oct', k: base64url.encode(new Uint8Array(32)), kid: 'hmac', alg: 'HS256' },
        noAlg,
        rsa.jwk,
        privateJwk,
        { ...ed.jwk, kid: 'twice' },
        { ...ed.jwk, kid: 'twice' },
        short,
        { ...ed.jwk, kid: 'enc', use: 'enc' },
        { ...ed.jwk, kid: 'ops', key_ops: ['sign'] },
        { ...ed.jwk, kid: 'bad/kid' },
        'junk',
      ],
    });
    const { keys, events } = source({ algorithms: ['ES256', 'EdDSA'] });
    expect((await keys.key('es-1'))?.alg).toBe('ES256');
    for (const kid of ['hmac', 'no-alg', 'rs-1', 'priv', 'twice', 'short', 'enc', 'ops', 'bad/kid']) {
      expect(await keys.key(kid), kid).toBeUndefined();
    }
    const skipped = events.filter((e) => e.type === 'jwks.key_skipped');
    expect(skipped.map((e) => [e.kid, e.reason])).toEqual([
      ['hmac', 'a symmetric key'],
      ['no-alg', 'no "alg" (each key is bound to one algorithm)'],
      ['rs-1', '"alg" is not in the allowlist'],
      ['priv', 'a private key published in a JWK Set'],
      ['twice', '"kid" appears more than once'],
      ['twice', '"kid" appears more than once'],
      ['short', 'RSA keys must be at least 2048 bits'],
      ['enc', '"use" must be "sig"'],
      ['ops', '"key_ops" does not allow verify'],
      ['bad/kid', '"kid" must be 1 to 128 characters of [A-Za-z0-9._-]'],
      [undefined, 'not a JSON object'],
    ]);
  });
});

describe('remoteJwks: caching', () => {
  it("keeps a set for the response's max-age, then refreshes in the background while serving it", async () => {
    handler = serve({ keys: [es.jwk] });
    const { clock, keys } = source();
    await keys.key('es-1');
    clock.advance(299_999);
    expect(keys.key('es-1')).not.toBeInstanceOf(Promise);
    expect(hits).toBe(1);
    clock.advance(1);
    // Stale: answered at once from the cache, one fetch in the background.
    expect(keys.key('es-1')).not.toBeInstanceOf(Promise);
    expect(keys.key('es-1')).not.toBeInstanceOf(Promise);
    await tick();
    expect(hits).toBe(2);
  });

  it.each([
    ['max-age=5', 60_000],
    ['max-age=999999999', 86_400_000],
    ['no-store', 60_000],
    ['max-age=600', 600_000],
  ])('Cache-Control %s: fresh for %i ms (within minTtl..maxTtl)', async (cacheControl, ttl) => {
    handler = serve({ keys: [es.jwk] }, { 'cache-control': cacheControl });
    const { clock, keys } = source();
    await keys.key('es-1');
    clock.advance(ttl - 1);
    await keys.key('es-1');
    expect(hits).toBe(1);
    clock.advance(1);
    await keys.key('es-1');
    await tick();
    expect(hits).toBe(2);
  });

  it('no Cache-Control: defaultTtl; Age counts against max-age', async () => {
    handler = serve({ keys: [es.jwk] }, {});
    const plain = source();
    await plain.keys.key('es-1');
    plain.clock.advance(600_000 - 1);
    await plain.keys.key('es-1');
    expect(hits).toBe(1);
    hits = 0;
    handler = serve({ keys: [es.jwk] }, { 'cache-control': 'max-age=300', age: '200' });
    const aged = source();
    await aged.keys.key('es-1');
    aged.clock.advance(100_000);
    await aged.keys.key('es-1');
    await tick();
    expect(hits).toBe(2);
  });

  it('past stale-while-revalidate, a lookup waits for the fetch', async () => {
    handler = serve({ keys: [es.jwk] }, { 'cache-control': 'max-age=60, stale-while-revalidate=10' });
    const { clock, keys } = source();
    await keys.key('es-1');
    clock.advance(70_000);
    const pending = keys.key('es-1');
    expect(pending).toBeInstanceOf(Promise);
    expect((await pending)?.kid).toBe('es-1');
    expect(hits).toBe(2);
  });

  it('stale-if-error: the issuer down, cached keys serve (with an event) until staleIfError, then none', async () => {
    handler = serve({ keys: [es.jwk] }, { 'cache-control': 'max-age=60' });
    const { clock, keys, events } = source({ staleWhileRevalidate: '1m', staleIfError: '1h' });
    await keys.key('es-1');
    handler = (_req, res) => {
      res.writeHead(503);
      res.end();
    };
    clock.advance(2 * 60_000 + 1);
    expect((await keys.key('es-1'))?.kid).toBe('es-1');
    expect(events.at(-1)).toMatchObject({ type: 'jwks.fetch_failed', reason: 'status', status: 503, stale: true });
    // Within the cooldown, no new fetch: the stale set answers.
    expect(keys.key('es-1')).toMatchObject({ kid: 'es-1' });
    expect(hits).toBe(2);
    clock.set(T0 + 60_000 + 3_600_000);
    expect(await keys.key('es-1')).toBeUndefined();
    expect(events.at(-1)).toMatchObject({ type: 'jwks.fetch_failed', stale: false });
  });

  it('single flight: many lookups on a cold cache make one fetch', async () => {
    handler = serve({ keys: [es.jwk] });
    const { keys } = source();
    const found = await Promise.all(Array.from({ length: 50 }, () => keys.key('es-1')));
    expect(found.every((k) => k?.kid === 'es-1')).toBe(true);
    expect(hits).toBe(1);
  });

  it('unknown kids refetch at most once per cooldown, and a key the issuer adds is found after it', async () => {
    handler = serve({ keys: [es.jwk] });
    const { clock, keys } = source({ cooldown: '30s' });
    await keys.key('es-1');
    const flood = await Promise.all(
      Array.from({ length: 1000 }, () => keys.key(base64url.encode(crypto.getRandomValues(new Uint8Array(12))))),
    );
    expect(flood.every((k) => k === undefined)).toBe(true);
    // The first lookup is within the cooldown of the initial fetch: nothing fetched.
    expect(hits).toBe(1);
    handler = serve({ keys: [es.jwk, ed.jwk] });
    clock.advance(30_000);
    const again = await Promise.all(Array.from({ length: 1000 }, (_, i) => keys.key(i === 0 ? 'ed-1' : `random-${i}`)));
    expect(again[0]?.kid).toBe('ed-1');
    expect(hits).toBe(2);
    clock.advance(29_999);
    for (let i = 0; i < 100; i++) await keys.key(`more-${i}`);
    expect(hits).toBe(2);
  });
});

describe('remoteJwks: fetch failures', () => {
  const failing = async (h: Handler, extra: RemoteJwksOptions = {}) => {
    handler = h;
    const { keys, events } = source(extra);
    expect(await keys.key('es-1')).toBeUndefined();
    return events.filter((e) => e.type === 'jwks.fetch_failed');
  };

  it('a body over maxBytes, with or without Content-Length', async () => {
    const big = JSON.stringify({ keys: [es.jwk], pad: 'x'.repeat(2000) });
    expect(await failing(serve(big), { maxBytes: 1000 })).toMatchObject([{ reason: 'too_large', stale: false }]);
    const chunked: Handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      for (let i = 0; i < 20; i++) res.write('x'.repeat(100));
      res.end();
    };
    expect(await failing(chunked, { maxBytes: 1000 })).toMatchObject([{ reason: 'too_large' }]);
  });

  it('a server that does not answer within the timeout', async () => {
    const started = Date.now();
    expect(await failing(() => {}, { timeout: 150 })).toMatchObject([{ reason: 'timeout' }]);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('a redirect is not followed, a non-200 and a non-JSON or non-set body are refused', async () => {
    const redirect: Handler = (_req, res) => {
      res.writeHead(302, { location: 'http://127.0.0.1:1/elsewhere' });
      res.end();
    };
    expect(await failing(redirect)).toMatchObject([{ reason: 'network' }]);
    expect(
      await failing((_req, res) => {
        res.writeHead(404);
        res.end();
      }),
    ).toMatchObject([{ reason: 'status', status: 404 }]);
    expect(await failing(serve('<html>'))).toMatchObject([{ reason: 'invalid' }]);
    expect(await failing(serve({ nokeys: [] }))).toMatchObject([{ reason: 'invalid' }]);
    expect(await failing(serve({ keys: [es.jwk, ed.jwk] }), { maxKeys: 1 })).toMatchObject([{ reason: 'invalid' }]);
  });

  it('the event names the URL without its query', async () => {
    handler = (_req, res) => {
      res.writeHead(500);
      res.end();
    };
    const { keys, events } = source({}, '/jwks?token=secret');
    await keys.key('x');
    expect(events[0]).toMatchObject({ url: `${base}/jwks` });
  });
});
