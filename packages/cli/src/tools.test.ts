import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiKeys, memoryApiKeyStore } from '@bulwark/api-keys';
import { keyring } from '@bulwark/tokens';
import { CompactSign, importJWK, type JWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './program.js';
import { fileKeyringStore } from './tools/file-keyring-store.js';
import { duplicateMembers, tokenProblems } from './tools/token-problems.js';

async function bulwark(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  let code = 0;
  await runCli(argv, {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    exit: (c) => {
      code = c;
    },
    version: '0.0.0-test',
    isTTY: false,
  });
  return { code, stdout, stderr };
}

const KEK = Buffer.alloc(32, 7).toString('base64url');
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bulwark-tools-'));
});

describe('bulwark keys create', () => {
  it('prints a key and the record a store verifies it with, hashed with the given pepper', async () => {
    const pepper = Buffer.alloc(32, 3);
    const run = await bulwark(
      'keys',
      'create',
      '--owner',
      'user-1',
      '--scopes',
      'notes:read',
      '--pepper',
      pepper.toString('base64url'),
    );
    expect(run.code).toBe(0);
    const { key, record } = JSON.parse(run.stdout);
    expect(record).not.toHaveProperty('key');
    expect(JSON.stringify(record)).not.toContain(key.split('_').pop());
    const store = memoryApiKeyStore();
    await store.create(record);
    const verified = await apiKeys({ store, pepper: new Uint8Array(pepper) }).verify(key);
    expect(verified).toMatchObject({ ok: true });
    // Another pepper: the same record does not verify.
    const other = memoryApiKeyStore();
    await other.create(record);
    expect(await apiKeys({ store: other, pepper: new Uint8Array(32) }).verify(key)).toMatchObject({ ok: false });
  });

  it('refuses a bad environment or duration in one line', async () => {
    for (const extra of [
      ['--environment', 'prod'],
      ['--expires-in', 'soon'],
    ]) {
      const run = await bulwark('keys', 'create', '--owner', 'u', '--scopes', 'a', ...extra);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/^bulwark: [^\n]+\n$/);
    }
  });
});

describe('bulwark jwks', () => {
  it('generates a sealed keyring file, rotates it with the same alg, and shows the public set only', async () => {
    const file = join(dir, 'keyring.json');
    const generated = await bulwark('jwks', 'generate', '--file', file, '--alg', 'EdDSA', '--kek', KEK);
    expect(generated.code).toBe(0);
    const first = JSON.parse(generated.stdout).keys;
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ alg: 'EdDSA', use: 'sig' });
    expect(first[0]).not.toHaveProperty('d');
    // At rest: sealed, no private member, owner-only.
    const text = await readFile(file, 'utf8');
    expect(text).not.toMatch(/"d"\s*:/);
    expect((await stat(file)).mode & 0o077).toBe(0);
    const rotated = await bulwark('jwks', 'rotate', '--file', file, '--kek', KEK);
    expect(rotated.code).toBe(0);
    const shown = JSON.parse((await bulwark('jwks', 'show', '--file', file, '--kek', KEK)).stdout).keys;
    expect(shown.map((k: JWK) => k.alg)).toEqual(['EdDSA', 'EdDSA']);
    expect(shown.map((k: JWK) => k.kid)).toContain(JSON.parse(rotated.stdout).kid);
    // A keyring on the same file and key-encryption key signs with the first key.
    const ring = keyring({
      store: fileKeyringStore(file),
      keyEncryptionKey: new Uint8Array(Buffer.from(KEK, 'base64url')),
    });
    expect((await ring.signingKey()).kid).toBe(first[0].kid);
  });

  it('refuses another key-encryption key, an existing file and a missing KEK', async () => {
    const file = join(dir, 'keyring-2.json');
    await bulwark('jwks', 'generate', '--file', file, '--kek', KEK);
    const wrong = await bulwark('jwks', 'show', '--file', file, '--kek', Buffer.alloc(32, 9).toString('base64url'));
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/^bulwark: [^\n]+\n$/);
    expect((await bulwark('jwks', 'generate', '--file', file, '--kek', KEK)).stderr).toMatch(/exists/);
    const env = process.env.KEY_ENCRYPTION_KEY;
    delete process.env.KEY_ENCRYPTION_KEY;
    try {
      expect((await bulwark('jwks', 'show', '--file', file)).stderr).toMatch(/--kek/);
    } finally {
      if (env !== undefined) process.env.KEY_ENCRYPTION_KEY = env;
    }
  });
});

describe('bulwark token inspect', () => {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const good = {
    iss: 'https://issuer.test',
    aud: 'notes-api',
    sub: 'u1',
    jti: 'j1',
    client_id: 'c1',
    iat: now,
    exp: now + 600,
  };

  it('finds nothing wrong with a well-formed access token, and the verifier accepts it', async () => {
    const { privateKey, jwk } = await esKey();
    const token = await new CompactSign(new TextEncoder().encode(JSON.stringify(good)))
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: 'k1' })
      .sign(privateKey);
    const jwks = join(dir, 'jwks.json');
    await import('node:fs/promises').then((fs) => fs.writeFile(jwks, JSON.stringify({ keys: [jwk] })));
    const run = await bulwark(
      'token',
      'inspect',
      token,
      '--issuer',
      good.iss,
      '--audience',
      'notes-api',
      '--jwks',
      jwks,
      '--json',
    );
    expect(JSON.parse(run.stdout)).toMatchObject({ problems: [], verifier: 'valid' });
    expect(run.code).toBe(0);
    const tampered = `${token.slice(0, -2)}${token.endsWith('A') ? 'BB' : 'AA'}`;
    const refused = await bulwark(
      'token',
      'inspect',
      tampered,
      '--issuer',
      good.iss,
      '--audience',
      'notes-api',
      '--jwks',
      jwks,
      '--json',
    );
    expect(JSON.parse(refused.stdout).verifier).toMatch(/^refused: /);
    expect(refused.code).toBe(1);
  });

  it('lists every problem at once, exit 1', async () => {
    const header = { alg: 'none', jku: 'https://evil.test/jwks', crit: ['x'] };
    const payload = { iss: 'https://other.test', aud: 'someone', exp: now - 3600, iat: now + 3600 };
    const run = await bulwark(
      'token',
      'inspect',
      `${b64(header)}.${b64(payload)}.`,
      '--issuer',
      good.iss,
      '--audience',
      'notes-api',
    );
    expect(run.code).toBe(1);
    for (const text of [
      'alg "none"',
      'typ undefined',
      'no kid',
      'jku present',
      'crit present',
      'no signature',
      'expired at',
      'iat in the future',
      'iss https://other.test is not https://issuer.test',
      'does not name notes-api',
      'no sub',
      'no jti',
      'no client_id',
    ]) {
      expect(run.stdout).toContain(text);
    }
  });

  it('sees duplicate members and non-canonical base64url', () => {
    expect(duplicateMembers('{"alg":"ES256","x":{"alg":1},"alg":"none"}')).toEqual(['alg']);
    expect(duplicateMembers('{"a":"\\"b\\":","b":1}')).toEqual([]);
    const header = Buffer.from('{"alg":"ES256","alg":"none","typ":"at+jwt","kid":"k"}').toString('base64url');
    const problems = tokenProblems(`${header}.${b64(good)}.AAAA`, { now }).map((p) => p.problem);
    expect(problems).toContain('"alg" appears twice');
    // Padding makes a second spelling of the same bytes.
    const padded = tokenProblems(`${b64({ alg: 'ES256', typ: 'at+jwt', kid: 'k' })}.${b64(good)}=.AAAA`, { now });
    expect(padded.map((p) => p.problem).join()).toMatch(/not base64url JSON|non-canonical/);
  });
});

async function esKey(): Promise<{ privateKey: CryptoKey; jwk: JWK }> {
  const { generateKeyPair, exportJWK } = await import('jose');
  const pair = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256' };
  await importJWK(jwk, 'ES256');
  return { privateKey: pair.privateKey, jwk };
}

describe('bulwark openapi', () => {
  it('prints the document a module exports, as a value or from a function, and refuses anything else in one line', async () => {
    const { writeFile } = await import('node:fs/promises');
    const { openApiDocument } = await import('@bulwark/openapi');
    const document = openApiDocument({
      info: { title: 'fixture', version: '1' },
      routes: [{ method: 'GET', path: '/health' }],
    });
    const plain = join(dir, 'plain.mjs');
    await writeFile(plain, `export const openapi = ${JSON.stringify(document)};\n`);
    const made = join(dir, 'made.mjs');
    await writeFile(made, `export const apiDocument = async () => (${JSON.stringify(document)});\n`);
    const wrong = join(dir, 'wrong.mjs');
    await writeFile(wrong, 'export default { swagger: "2.0" };\n');
    const printed = await bulwark('openapi', plain);
    expect(printed.code).toBe(0);
    expect(JSON.parse(printed.stdout)).toEqual(document);
    const compact = await bulwark('openapi', made, '--export', 'apiDocument', '--compact');
    expect(compact.stdout.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(compact.stdout)).toEqual(document);
    for (const argv of [[wrong], [plain, '--export', 'nothing'], [join(dir, 'missing.mjs')]]) {
      const refused = await bulwark('openapi', ...argv);
      expect(refused.code).toBe(2);
      expect(refused.stderr.trim().split('\n')).toHaveLength(1);
      expect(refused.stdout).toBe('');
    }
  });
});
