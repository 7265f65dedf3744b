import { createHmac } from 'node:crypto';

/** A compact JWS split into its decoded header and payload (not verified: the server does that). */
export interface DecodedJws {
  readonly header: Record<string, unknown>;
  readonly payload: Record<string, unknown>;
  readonly signature: string;
}

const part = (text: string): unknown => JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
export const encodePart = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Decodes a compact JWS, or `undefined` when `token` is not one (an opaque token or an API key). */
export function decodeJws(token: string): DecodedJws | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const header = part(parts[0] ?? '');
    const payload = part(parts[1] ?? '');
    if (typeof header !== 'object' || header === null || typeof payload !== 'object' || payload === null)
      return undefined;
    return {
      header: header as Record<string, unknown>,
      payload: payload as Record<string, unknown>,
      signature: parts[2] ?? '',
    };
  } catch {
    return undefined;
  }
}

/** The token with its header and payload replaced, keeping the original signature (so it no longer matches). */
export function reforge(
  jws: DecodedJws,
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  signature = jws.signature,
): string {
  return `${encodePart(header)}.${encodePart(payload)}.${signature}`;
}

/** The signature with its first character changed: a different signature, whatever the spare bits. */
export function tamperSignature(signature: string): string {
  const first = signature[0] === 'A' ? 'B' : 'A';
  return `${first}${signature.slice(1)}`;
}

/** An HS256 token signed with `secret` (the key-confusion attack signs with the server's public key). */
export function signHs256(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  secret: string | Uint8Array,
): string {
  const input = `${encodePart({ ...header, alg: 'HS256' })}.${encodePart(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}
