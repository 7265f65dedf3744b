import { access } from 'node:fs/promises';
import { ConfigError } from '@bulwark/core';
import { keyring, SIGNING_ALGORITHMS, type SigningAlgorithm } from '@bulwark/tokens';
import { fileKeyringStore } from './file-keyring-store.js';

export interface JwksFlags {
  readonly file: string;
  readonly alg?: string;
  readonly kek?: string;
}

/** The key-encryption key: 32 bytes, base64url without padding (KEY_ENCRYPTION_KEY). */
export function readKek(value: string | undefined): Uint8Array {
  const text = value?.trim();
  if (!text) {
    throw new ConfigError(
      '--kek',
      'required (or KEY_ENCRYPTION_KEY): 32 random bytes, base64url, e.g. `openssl rand 32 | basenc --base64url | tr -d =`',
    );
  }
  const bytes = /^[A-Za-z0-9_-]+$/.test(text) ? Buffer.from(text, 'base64url') : undefined;
  if (bytes === undefined || bytes.toString('base64url') !== text || bytes.length !== 32) {
    throw new ConfigError('--kek', 'expected 32 bytes, base64url without padding (43 characters)');
  }
  return new Uint8Array(bytes);
}

function algorithm(value: string | undefined): SigningAlgorithm {
  const alg = value ?? 'ES256';
  if (!SIGNING_ALGORITHMS.includes(alg as SigningAlgorithm) || alg.startsWith('HS')) {
    throw new ConfigError(
      '--alg',
      `expected one of ${SIGNING_ALGORITHMS.filter((a) => !a.startsWith('HS')).join(', ')}`,
    );
  }
  return alg as SigningAlgorithm;
}

const ring = (flags: JwksFlags, alg?: SigningAlgorithm) =>
  keyring({
    store: fileKeyringStore(flags.file),
    keyEncryptionKey: readKek(flags.kek),
    ...(alg ? { algorithm: alg } : {}),
  });

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** `bulwark jwks generate`: a new keyring file with one signing key; answers the public set. */
export async function jwksGenerate(flags: JwksFlags): Promise<string> {
  if (await exists(flags.file))
    throw new ConfigError('--file', `${flags.file} exists: rotate it, or choose another file`);
  const keys = ring(flags, algorithm(flags.alg));
  await keys.signingKey();
  return `${JSON.stringify(await keys.jwks(), null, 2)}\n`;
}

/** `bulwark jwks rotate`: the successor key, published now, signing after the keyring's publishAhead. */
export async function jwksRotate(flags: JwksFlags): Promise<string> {
  if (!(await exists(flags.file))) throw new ConfigError('--file', `${flags.file} does not exist: jwks generate first`);
  // The successor keeps the newest key's algorithm (the keyring's default would be ES256).
  const { records } = await fileKeyringStore(flags.file).load();
  const keys = ring(flags, algorithm(flags.alg ?? records[records.length - 1]?.alg));
  const next = await keys.rotate();
  return `${JSON.stringify({ kid: next.kid, activatesAt: new Date(next.activatesAt).toISOString() })}\n`;
}

/** `bulwark jwks show`: the public JWK Set (to serve at /.well-known/jwks.json), or with `status` every key's state. */
export async function jwksShow(flags: JwksFlags & { status?: boolean }): Promise<string> {
  if (!(await exists(flags.file))) throw new ConfigError('--file', `${flags.file} does not exist`);
  const keys = ring(flags);
  if (flags.status) {
    const list = (await keys.status()).map((k) => ({
      ...k,
      activatesAt: new Date(k.activatesAt).toISOString(),
      verifyUntil: Number.isFinite(k.verifyUntil) ? new Date(k.verifyUntil).toISOString() : null,
    }));
    return `${JSON.stringify(list, null, 2)}\n`;
  }
  return `${JSON.stringify(await keys.jwks(), null, 2)}\n`;
}
