import type { AuthFailedEvent } from '@bulwark/core';
import { decodeJwt } from 'jose';
import { expect } from 'vitest';
import type { ProbeRequest, ProbeResponse } from '../http-client.js';
import { AUTH_REALM } from './auth-fixture.js';
import { expectProblem, expectProfile } from './expect.js';
import type { AdapterScenario, SequenceScenario } from './scenario.js';
import {
  TOKEN_ISSUER,
  type TokenAttackSetup,
  tokenAttackAuthenticator,
  tokenAttackEvents,
} from './token-attack-fixture.js';
import { ATTACK_SCOPES, ATTACK_SUBJECT, nonCanonicalSpellings, type TokenAttack } from './token-attacks.js';

const CHALLENGE = `Bearer realm="${AUTH_REALM}"`;
const CHALLENGES = {
  invalid_token: `${CHALLENGE}, error="invalid_token"`,
  invalid_request: `${CHALLENGE}, error="invalid_request"`,
} as const;
const DETAIL = {
  invalid_token: 'The access token is not valid.',
  invalid_request: 'The Authorization header is not a valid Bearer credential.',
} as const;

const me = (authorization: string): ProbeRequest => ({ method: 'GET', path: '/v2/me', headers: { authorization } });
const whoami = (token: string): ProbeRequest => ({
  method: 'GET',
  path: '/v2/whoami',
  headers: { authorization: `Bearer ${token}` },
});

/** The pieces of a token long enough to be recognised if an answer or an event echoed them. */
function tokenPieces(authorization: string): string[] {
  const token = authorization.replace(/^Bearer\s+/i, '');
  return token.split(/[.\s=]+/).filter((piece) => piece.length >= 12);
}

/** The `auth.failed` events `run` caused, taken off the process-wide log. */
async function failures(run: () => Promise<void>): Promise<AuthFailedEvent[]> {
  const before = tokenAttackEvents.length;
  await run();
  return tokenAttackEvents.splice(before).filter((e): e is AuthFailedEvent => e.type === 'auth.failed');
}

/** DEMO.md's answer to a refused credential: status, code, the one fixed detail, the exact challenge, the profile, no echo. */
function expectRefused(res: ProbeResponse, answer: TokenAttack['answer'], authorization: string): void {
  const body = expectProblem(res, answer === 'invalid_token' ? 401 : 400, answer);
  expect(body.detail).toBe(DETAIL[answer]);
  expect(res.header('www-authenticate')).toBe(CHALLENGES[answer]);
  expectProfile(res);
  for (const piece of tokenPieces(authorization)) expect(res.text).not.toContain(piece);
}

/** One scenario per attack: the answer, and one `auth.failed` with a reason of the attack's class. */
function attackScenario(attack: TokenAttack, authenticator: string): SequenceScenario {
  const status = attack.answer === 'invalid_token' ? '401 invalid_token' : '400 invalid_request';
  return {
    name: `Token attack: ${attack.name} is ${status}`,
    async run(send) {
      const events = await failures(async () => {
        expectRefused(await send(me(attack.authorization)), attack.answer, attack.authorization);
      });
      expect(events).toHaveLength(1);
      const [event] = events as [AuthFailedEvent];
      expect(event.code).toBe(attack.answer);
      // A token that is not a compact JWS may go unclaimed: core's answer, with no authenticator named.
      const unclaimed = event.authenticator === null && event.reason === 'unknown_credential';
      if (attack.answer === 'invalid_request' || !unclaimed) {
        expect(event.authenticator).toBe(attack.answer === 'invalid_token' ? authenticator : null);
      }
      expect(attack.reasons, `refused for "${event.reason}", not for what the attack targets`).toContain(event.reason);
      const logged = JSON.stringify(event);
      for (const piece of tokenPieces(attack.authorization)) expect(logged).not.toContain(piece);
    },
  };
}

/**
 * The token-attack scenarios over HTTP: every attack of `setup` refused with DEMO.md's
 * answer, every control accepted (so the suite can fail), a re-encoded copy of a cached
 * token refused, and revocations seen on a cache hit.
 *
 * @example
 * ```ts
 * declare const drivers: readonly AdapterDriver[]; // your frameworks' drivers
 * const setup = await tokenAttackSetup();
 * for (const driver of drivers) {
 *   runAdapterConformance(driver, { app: tokenAttackApp(setup), scenarios: tokenAttackScenarios(setup) });
 * }
 * ```
 */
export function tokenAttackScenarios(setup: TokenAttackSetup): readonly AdapterScenario[] {
  const authenticator = tokenAttackAuthenticator(setup).name;
  const controls = [
    ...setup.controls,
    {
      name: 'a token issued by accessTokens on the same keyring',
      authorization: `Bearer ${setup.issued.token}`,
      subject: ATTACK_SUBJECT,
      scopes: ATTACK_SCOPES,
    },
  ];
  const controlScenarios = controls.map(
    (control): SequenceScenario => ({
      name: `Token control: ${control.name} is 200 with its principal`,
      async run(send) {
        const events = await failures(async () => {
          const res = await send(me(control.authorization));
          expect(res.status, res.text).toBe(200);
          expect(res.header('www-authenticate')).toBeUndefined();
          expect(res.json()).toEqual({
            subject: control.subject,
            scopes: control.scopes,
            source: {
              kind: 'jwt',
              issuer: TOKEN_ISSUER,
              tokenId: decodeJwt(control.authorization.slice('Bearer '.length)).jti,
            },
          });
          expectProfile(res);
        });
        expect(events).toEqual([]);
      },
    }),
  );
  const spellings = nonCanonicalSpellings(setup.cacheBase);
  const sequences: SequenceScenario[] = [
    {
      name: 'Token cache: a re-encoded copy of a cached token misses and fails; the original still passes',
      async run(send) {
        const base = `Bearer ${setup.cacheBase}`;
        expect((await send(me(base))).status).toBe(200);
        expect((await send(me(base))).status).toBe(200);
        for (const spelling of spellings) {
          expectRefused(await send(me(spelling.authorization)), spelling.answer, spelling.authorization);
        }
        expect((await send(me(base))).status).toBe(200);
      },
    },
    {
      name: 'Token cache: one fixed answer for every refused token, whatever the reason',
      async run(send) {
        const refused = setup.attacks.filter((a) => a.answer === 'invalid_token');
        const answers = new Set<string>();
        for (const attack of refused.slice(0, 12)) answers.add((await send(me(attack.authorization))).text);
        expect(answers.size).toBe(1);
      },
    },
    ...(['jti', 'sid'] as const).map(
      (kind): SequenceScenario => ({
        name: `Token revocation: revoking the ${kind} of a cached token refuses it at once (401 invalid_token, revoked)`,
        async run(send) {
          const fresh = await setup.issuer.issue({
            subject: ATTACK_SUBJECT,
            scopes: ATTACK_SCOPES,
            clientId: 'notes-api',
            sessionId: `sess-${kind}-${Math.random().toString(36).slice(2)}`,
          });
          for (let i = 0; i < 2; i++) {
            const res = await send(whoami(fresh.token));
            expect(res.status).toBe(200);
            expect(res.json()).toEqual({ subject: ATTACK_SUBJECT });
          }
          await setup.revocations.revoke({
            kind,
            id: kind === 'jti' ? fresh.jti : fresh.sid,
            until: fresh.expiresAt,
          });
          const events = await failures(async () => {
            expectRefused(await send(whoami(fresh.token)), 'invalid_token', `Bearer ${fresh.token}`);
          });
          expect(events.map((e) => [e.code, e.reason])).toEqual([['invalid_token', 'revoked']]);
        },
      }),
    ),
  ];
  return Object.freeze([
    ...controlScenarios,
    ...setup.attacks.map((attack) => attackScenario(attack, authenticator)),
    ...sequences,
  ]);
}
