import { Buffer } from 'node:buffer';
import { importJWK, jwtVerify } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  canonicalBase,
  nonCanonicalSpellings,
  type TokenAttack,
  type TokenControl,
  type TokenWorld,
  tokenAttacks,
  tokenControls,
  tokenKeys,
} from './token-attacks.js';
import { segments } from './token-encoding.js';

// The attack builders themselves: a control that jose refuses, or a "non-canonical" copy
// that is not the same token, would make the HTTP suite prove nothing.
let world: TokenWorld;
let attacks: readonly TokenAttack[];
let controls: readonly TokenControl[];

beforeAll(async () => {
  world = {
    issuer: 'https://issuer.test',
    audience: 'notes-api',
    now: Date.UTC(2030, 0, 1),
    keys: await tokenKeys(),
    revokedJti: 'jti-r',
    revokedSid: 'sid-r',
  };
  [attacks, controls] = await Promise.all([tokenAttacks(world), tokenControls(world)]);
});

const tokenOf = (authorization: string) => authorization.replace(/^Bearer /, '');

async function joseVerifies(token: string): Promise<boolean> {
  const header = JSON.parse(Buffer.from(segments(token)[0], 'base64url').toString()) as { kid?: string };
  const key = [world.keys.signing, world.keys.rsa].find((k) => k.kid === header.kid);
  if (key === undefined) return false;
  try {
    await jwtVerify(token, await importJWK(key.publicJwk, key.alg), {
      issuer: world.issuer,
      audience: world.audience,
      typ: 'at+jwt',
      algorithms: [key.alg],
      currentDate: new Date(world.now),
      clockTolerance: 5,
      requiredClaims: ['exp', 'iat', 'sub', 'jti'],
    });
    return true;
  } catch {
    return false;
  }
}

describe('token attack builders', () => {
  it('every control is a token jose itself accepts (key, alg, typ, iss, aud, times)', async () => {
    expect(controls.length).toBeGreaterThanOrEqual(4);
    for (const control of controls) expect(await joseVerifies(tokenOf(control.authorization)), control.name).toBe(true);
  });

  it('the controls include one as close under 8 KiB as the encoding allows, and the oversize attack is over it', () => {
    const longest = Math.max(...controls.map((c) => tokenOf(c.authorization).length));
    expect(longest).toBeLessThanOrEqual(8192);
    expect(longest).toBeGreaterThan(8185);
    const oversize = attacks.find((a) => a.reasons.includes('too_large') && a.name.includes('validly signed'));
    expect(tokenOf(oversize?.authorization ?? '').length).toBeGreaterThan(8192);
  });

  it('each non-canonical spelling decodes, leniently, to the bytes of the valid token it copies', async () => {
    const base = await canonicalBase(world);
    expect(await joseVerifies(base)).toBe(true);
    const lenient = (token: string) =>
      token
        .replace(/\s+/g, '')
        .split('.')
        .map((s) => Buffer.from(s, 'base64').toString('hex'));
    const spellings = nonCanonicalSpellings(base);
    expect(spellings.length).toBeGreaterThanOrEqual(9);
    for (const spelling of spellings) {
      const token = spelling.authorization.replace(/^Bearer[ \t]/, '');
      expect(spelling.authorization, spelling.name).not.toBe(`Bearer ${base}`);
      expect(lenient(token), spelling.name).toEqual(lenient(base));
    }
  });

  it('the claim, header and signature attacks are each a token jose (with our options) refuses too', async () => {
    // A sanity floor, not the verifier's test: the strict checks jose lacks (duplicates,
    // canonical encoding, r = 0 on some runtimes) are the verifier's, over HTTP.
    const refusedByJose = [
      'missing exp',
      'wrong iss',
      'wrong aud',
      'typ JWT',
      'alg none, no signature',
      'expired a day ago',
    ];
    for (const name of refusedByJose) {
      const attack = attacks.find((a) => a.name === name);
      expect(attack, name).toBeDefined();
      expect(await joseVerifies(tokenOf(attack?.authorization ?? '')), name).toBe(false);
    }
  });

  it('the duplicate-member tokens are otherwise valid: jose, which keeps the last member, accepts each', async () => {
    // So over HTTP only the duplicate can be what refuses them.
    const duplicates = attacks.filter((a) => a.name.includes(' twice'));
    expect(duplicates.length).toBeGreaterThanOrEqual(8);
    for (const attack of duplicates) expect(await joseVerifies(tokenOf(attack.authorization)), attack.name).toBe(true);
  });

  it('names are unique and every attack has an expected answer and a reason class', () => {
    expect(new Set(attacks.map((a) => a.name)).size).toBe(attacks.length);
    expect(attacks.length).toBeGreaterThan(90);
    for (const attack of attacks) {
      expect(attack.reasons.length, attack.name).toBeGreaterThan(0);
      expect(attack.authorization).toMatch(/^Bearer[ \t]/);
    }
  });
});
