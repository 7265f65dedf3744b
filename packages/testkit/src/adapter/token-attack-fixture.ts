import { type Authenticator, manualClock, type SecurityEvent } from '@bulwark/core';
import { securityHeaders } from '@bulwark/headers';
import {
  type AccessTokenIssuer,
  accessTokens,
  accessTokenVerifier,
  type IssuedAccessToken,
  jwtAuthenticator,
  type Keyring,
  keyring,
  memoryRevocationStore,
  type RevocationStore,
} from '@bulwark/tokens';
import { AUTH_REALM, authRoutes } from './auth-fixture.js';
import { recordServerError } from './body-fixture.js';
import type { ConformanceApp } from './driver.js';
import { CONFORMANCE_NOW } from './fixture.js';
import {
  ATTACK_SCOPES,
  ATTACK_SUBJECT,
  canonicalBase,
  type TokenAttack,
  type TokenControl,
  type TokenWorld,
  tokenAttacks,
  tokenControls,
  tokenKeys,
} from './token-attacks.js';

export const TOKEN_ISSUER = 'https://issuer.test';
export const TOKEN_AUDIENCE = 'notes-api';

/** Everything the token-attack scenarios share across frameworks (built once: the tokens are the same bytes for all). */
export interface TokenAttackSetup {
  readonly world: TokenWorld;
  readonly attacks: readonly TokenAttack[];
  readonly controls: readonly TokenControl[];
  /** A valid token with a `-` or `_` in its signature and spare bits: the base of the cache scenario. */
  readonly cacheBase: string;
  /** A token issued by `accessTokens` on the world's keyring: the issuer and verifier agree. */
  readonly issued: IssuedAccessToken;
  /** The trusted keys (ES256 signs, RS256 verifies too), as `keyring({ initialKeys })`. */
  readonly keys: Keyring;
  /** Shared by every app's verifier: a revocation is seen by all. */
  readonly revocations: RevocationStore;
  readonly issuer: AccessTokenIssuer;
}

/** The security events of the token-attack apps, process-wide (scenarios slice what they caused). */
export const tokenAttackEvents: SecurityEvent[] = [];

const clock = () => CONFORMANCE_NOW;

/**
 * Builds the token world once: fresh keys, the attacks and controls, a keyring of the
 * trusted keys, a revocation store with the world's revoked `jti` and `sid`, and an
 * `accessTokens` issuer on the keyring.
 *
 * @example
 * ```ts
 * const setup = await tokenAttackSetup();
 * // runAdapterConformance(driver, { app: tokenAttackApp(setup), scenarios: tokenAttackScenarios(setup) });
 * ```
 */
export async function tokenAttackSetup(): Promise<TokenAttackSetup> {
  const world: TokenWorld = Object.freeze({
    issuer: TOKEN_ISSUER,
    audience: TOKEN_AUDIENCE,
    now: CONFORMANCE_NOW,
    keys: await tokenKeys(),
    revokedJti: 'jti-revoked-before-the-attacks',
    revokedSid: 'sess-revoked-before-the-attacks',
  });
  const keys = keyring({ initialKeys: { keys: [world.keys.signing.privateJwk, world.keys.rsa.privateJwk] } });
  const revocations = memoryRevocationStore({ clock });
  const until = CONFORMANCE_NOW + 3_600_000;
  await revocations.revoke({ kind: 'jti', id: world.revokedJti, until });
  await revocations.revoke({ kind: 'sid', id: world.revokedSid, until });
  const issuer = accessTokens({ keys, issuer: TOKEN_ISSUER, audience: TOKEN_AUDIENCE, clock });
  const [attacks, controls, cacheBase, issued] = await Promise.all([
    tokenAttacks(world),
    tokenControls(world),
    canonicalBase(world),
    issuer.issue({ subject: ATTACK_SUBJECT, scopes: ATTACK_SCOPES, clientId: 'notes-api', sessionId: 'sess-issued' }),
  ]);
  return Object.freeze({ world, attacks, controls, cacheBase, issued, keys, revocations, issuer });
}

/** The real verifier of the world: explicit algorithms, default tolerance, size cap and cache. */
export function tokenAttackAuthenticator(setup: TokenAttackSetup): Authenticator {
  return jwtAuthenticator(
    accessTokenVerifier({
      keys: setup.keys,
      issuer: TOKEN_ISSUER,
      audience: TOKEN_AUDIENCE,
      algorithms: ['ES256', 'RS256'],
      revocations: setup.revocations,
      clock,
    }),
  );
}

/**
 * The app of the token-attack scenarios: the auth app's shape (header profile, then
 * `authenticate(...)` required, realm `notes-api`, and the auth routes), with the real
 * verifier through `jwtAuthenticator` as its only authenticator. Each call builds its own
 * verifier (its own cache) on the shared keys and revocation store.
 */
export function tokenAttackApp(setup: TokenAttackSetup): ConformanceApp {
  const profile = securityHeaders();
  return {
    profile: [profile],
    policies: [profile],
    authentication: {
      authenticators: [tokenAttackAuthenticator(setup)],
      options: {
        realm: AUTH_REALM,
        onEvent: (event: SecurityEvent) => tokenAttackEvents.push(event),
        clock: manualClock(CONFORMANCE_NOW),
      },
    },
    realm: AUTH_REALM,
    routes: authRoutes,
    onError: recordServerError,
  };
}
