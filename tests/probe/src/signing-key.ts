import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, type JWK } from 'jose';

/** A fresh ES256 private key as the demo's SIGNING_KEYS_FILE (a JWK Set) and as the probe's `signingKey`. */
export async function demoSigningKey(dir: string): Promise<{ file: string; jwk: JWK }> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk: JWK = { ...(await exportJWK(privateKey)), kid: 'probe-test', alg: 'ES256', use: 'sig' };
  const file = join(dir, 'signing-keys.json');
  await writeFile(file, JSON.stringify({ keys: [jwk] }));
  return { file, jwk };
}
