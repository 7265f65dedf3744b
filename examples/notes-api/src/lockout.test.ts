import { type ManualClock, manualClock, type SecurityEvent } from '@bulwark/core';
import { type PasswordHasher, ServiceBusyError } from '@bulwark/passwords';
import { passwordHasher } from '@bulwark/passwords/node';
import { comparableAnswer, expectIdenticalAnswers, expectProblem, type ProbeResponse } from '@bulwark/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FRAMEWORKS } from './config.js';
import { authorizeQuery, cookieOf, formFields, oauthClient } from './oauth-test-helpers.js';
import { json, PASSWORDS, startTestDemo } from './test-helpers.js';

// DEMO.md, Lockout (AC-7): five failures of one account from one client lock that pair for
// 15 minutes; the right password is then 429 login_locked with Retry-After; unknown accounts
// are counted and answered like known ones. Each test signs in from its own client IPs
// (TRUST_PROXY=loopback, X-Forwarded-For), so the sign-in tier (20 per minute per IP) and the
// locks of one test never reach another.

const LOCK_SECONDS = 15 * 60;
const WRONG = 'not-the-password';

/** The answer fields that depend on time alone (and the rate-limit counters, which depend on the test's order). */
const TIMELESS = (res: ProbeResponse) => {
  const { status, fields, body } = comparableAnswer(res);
  return { status, fields: fields.filter(([name]) => !['ratelimit', 'ratelimit-policy'].includes(name)), body };
};

/** A demo on `framework` with a clock of its own (the lock expires with it) and its events. */
async function lockoutDemo(framework: (typeof FRAMEWORKS)[number]) {
  const clock: ManualClock = manualClock(Date.UTC(2026, 5, 15, 12, 0, 30));
  const events: SecurityEvent[] = [];
  const server = await startTestDemo(framework, { TRUST_PROXY: 'loopback' }, { clock, onEvent: (e) => events.push(e) });
  const o = oauthClient(server);
  const from = (ip: string) => ({ 'x-forwarded-for': ip });
  const loginFrom = (ip: string, email: string, password: string) => o.login(email, password, from(ip));
  return { server, clock, events, o, from, loginFrom };
}

/** A median, of a few timings. */
const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};

describe.each(FRAMEWORKS)('notes-api demo on %s: the sign-in lockout (DEMO.md, AC-7)', (framework) => {
  let demo: Awaited<ReturnType<typeof lockoutDemo>>;
  beforeAll(async () => {
    demo = await lockoutDemo(framework);
  });
  afterAll(() => demo?.server.close());

  it('five failures lock the account and IP: the sixth, with the right password, is 429 login_locked; another IP signs in', async () => {
    const ip = '198.51.100.20';
    for (let i = 0; i < 5; i++) {
      expectProblem(await demo.loginFrom(ip, 'alice@example.com', WRONG), 401, 'invalid_credentials');
    }
    const locked = await demo.loginFrom(ip, 'alice@example.com', PASSWORDS.alice);
    expectProblem(locked, 429, 'login_locked');
    expect(locked.header('retry-after')).toBe(String(LOCK_SECONDS));
    expect(locked.json()).toMatchObject({ retryAfter: LOCK_SECONDS });
    expect(locked.text).not.toContain('alice');
    // The pair is locked, not the account: alice signs in from another client.
    expect((await demo.loginFrom('198.51.100.21', 'alice@example.com', PASSWORDS.alice)).status).toBe(200);
    const lock = demo.events.find((e) => e.type === 'lockout');
    expect(lock).toMatchObject({ type: 'lockout', scope: 'pair', attempts: 5, durationMs: LOCK_SECONDS * 1000 });
    expect(JSON.stringify(demo.events)).not.toContain('alice@example.com');
  });

  it('a refused attempt while locked checks no password and counts nothing; the lock expires with the clock', async () => {
    const ip = '198.51.100.22';
    for (let i = 0; i < 5; i++) await demo.loginFrom(ip, 'dave@example.com', WRONG);
    demo.clock.advance(10 * 60_000);
    const later = await demo.loginFrom(ip, 'dave@example.com', WRONG);
    expectProblem(later, 429, 'login_locked');
    expect(later.header('retry-after')).toBe(String(5 * 60));
    demo.clock.advance(5 * 60_000);
    // The lock is over and the refused attempts counted nothing: the right password works.
    expect((await demo.loginFrom(ip, 'dave@example.com', PASSWORDS.dave)).status).toBe(200);
  });

  it('a success resets the pair: four failures, a success, four failures, and the right password still works', async () => {
    const ip = '198.51.100.23';
    for (let i = 0; i < 4; i++) await demo.loginFrom(ip, 'carol@example.com', WRONG);
    expect((await demo.loginFrom(ip, 'carol@example.com', PASSWORDS.carol)).status).toBe(200);
    for (let i = 0; i < 4; i++) {
      expectProblem(await demo.loginFrom(ip, 'carol@example.com', WRONG), 401, 'invalid_credentials');
    }
    expect((await demo.loginFrom(ip, 'carol@example.com', PASSWORDS.carol)).status).toBe(200);
  });

  it('an unknown account is answered exactly like a known one: each failure, the lock, its Retry-After', async () => {
    const known: ReturnType<typeof TIMELESS>[] = [];
    const unknown: ReturnType<typeof TIMELESS>[] = [];
    for (let i = 0; i < 6; i++) {
      known.push(TIMELESS(await demo.loginFrom('198.51.100.24', 'bob@example.com', WRONG)));
      unknown.push(TIMELESS(await demo.loginFrom('198.51.100.25', 'nobody@example.com', WRONG)));
    }
    expect(unknown).toEqual(known);
    expect(known[5]?.status).toBe(429);
    expect(known[4]?.status).toBe(401);
  });

  it("an unknown account's wrong password takes the time of a known one's (medians within 20%)", async () => {
    // Interleaved, each attempt from a client of its own so no lock is reached; a few rounds
    // so that a busy machine's stall in one round does not decide. A demo that skipped the
    // dummy hash would answer an unknown account in well under a millisecond: every round fails.
    const ratios: number[] = [];
    for (let round = 0; round < 3 && !ratios.some((r) => Math.abs(r - 1) <= 0.2); round++) {
      const timings = { known: [] as number[], unknown: [] as number[] };
      for (let i = 0; i < 9; i++) {
        for (const [kind, email] of [
          ['known', 'bob@example.com'],
          ['unknown', 'no-such-user@example.com'],
        ] as const) {
          const started = performance.now();
          const res = await demo.loginFrom(`203.0.113.${round * 20 + i}`, email, WRONG);
          timings[kind].push(performance.now() - started);
          expect(res.status).toBe(401);
        }
      }
      ratios.push(median(timings.unknown) / median(timings.known));
    }
    expect(
      ratios.some((r) => Math.abs(r - 1) <= 0.2),
      `unknown/known time ratios: ${ratios.join(', ')}`,
    ).toBe(true);
  });

  it('the OAuth sign-in form shares the lockout: locked after /auth/login failures, a 429 page with Retry-After', async () => {
    const ip = '198.51.100.26';
    for (let i = 0; i < 5; i++) await demo.loginFrom(ip, 'dave@example.com', WRONG);
    const shown = await demo.o.page(authorizeQuery('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'), demo.from(ip));
    expect(shown.status).toBe(200);
    const posted = await demo.o.post(
      { ...formFields(shown), email: 'dave@example.com', password: PASSWORDS.dave },
      cookieOf(shown),
      demo.from(ip),
    );
    expect(posted.status).toBe(429);
    expect(posted.header('retry-after')).toBe(String(LOCK_SECONDS));
    expect(posted.header('content-type')).toBe('text/html; charset=utf-8');
    expect(posted.text).toContain('Too many failed sign-in attempts.');
    expect(posted.header('location')).toBeUndefined();
  });
  it('a spike of refused sign-ins raises one alert; /admin/events shows it and pages back, newest first', async () => {
    // 60 malformed sign-ins in one minute (the clock is stopped), each from a client of its
    // own: far above the detector's floor of 10 a minute times 5.
    for (let i = 0; i < 60; i++) {
      const res = await demo.o.send('POST', '/auth/login', { ...json, ...demo.from(`10.9.${i}.1`) }, '{}');
      expect(res.status).toBe(422);
    }
    const alerts = demo.events.filter((e) => e.type === 'alert' && e.signal === 'validation.failed');
    expect(alerts).toHaveLength(1);
    const carol = demo.o.bearer(await demo.o.tokenOf('carol', demo.from('10.9.200.1')));
    type Page = { events: SecurityEvent[]; nextCursor?: string };
    const events = async (query: string) => (await demo.o.send('GET', `/admin/events?${query}`, carol)).json() as Page;
    const ten = await events('limit=10');
    const first = await events('limit=5');
    const second = await events(`limit=5&cursor=${encodeURIComponent(first.nextCursor ?? '')}`);
    expect([...first.events, ...second.events]).toEqual(ten.events);
    const times = ten.events.map((e) => e.at);
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const all = (await demo.o.send('GET', '/admin/events?limit=100', carol)).json() as { events: SecurityEvent[] };
    expect(all.events.some((e) => e.type === 'alert')).toBe(true);
    expectProblem(await demo.o.send('GET', '/admin/events?cursor=bogus', carol), 400, 'bad_request');
  });
});

describe('notes-api demo: the lockout answers byte-identically on the four frameworks', () => {
  it('failures, the lock and the locked right password read the same on each', async () => {
    const recorded: { driver: string; answers: ReturnType<typeof TIMELESS>[] }[] = [];
    for (const framework of FRAMEWORKS) {
      const demo = await lockoutDemo(framework);
      try {
        const answers: ReturnType<typeof TIMELESS>[] = [];
        for (let i = 0; i < 5; i++)
          answers.push(TIMELESS(await demo.loginFrom('192.0.2.1', 'alice@example.com', WRONG)));
        answers.push(TIMELESS(await demo.loginFrom('192.0.2.1', 'alice@example.com', PASSWORDS.alice)));
        answers.push(TIMELESS(await demo.loginFrom('192.0.2.1', 'nobody@example.com', WRONG)));
        recorded.push({ driver: framework, answers });
      } finally {
        await demo.server.close();
      }
    }
    expect(recorded[0]?.answers[5]?.status).toBe(429);
    expectIdenticalAnswers(recorded);
  });
});

/**
 * A real hasher that can be made to refuse as a full one does (`ServiceBusyError` before any
 * comparison): what a sign-in flood does to a user's own sign-in.
 */
function busyableHasher() {
  const real = passwordHasher();
  const state = { busy: false };
  const refuse = () => Promise.reject(new ServiceBusyError(1));
  const hasher: PasswordHasher = {
    ...real,
    hash: (password) => real.hash(password),
    needsRehash: (hash) => real.needsRehash(hash),
    verify: (hash, password) => (state.busy ? refuse() : real.verify(hash, password)),
    verifyDummy: (password) => (state.busy ? refuse() : real.verifyDummy(password)),
  };
  return { hasher, state };
}

describe.each(FRAMEWORKS)('notes-api demo on %s: a busy hasher counts no failure', (framework) => {
  let demo: Awaited<ReturnType<typeof startTestDemo>>;
  const { hasher, state } = busyableHasher();
  beforeAll(async () => {
    demo = await startTestDemo(
      framework,
      { TRUST_PROXY: 'loopback' },
      { hasher, clock: manualClock(Date.UTC(2026, 5, 15, 12, 0, 30)) },
    );
  });
  afterAll(() => demo?.close());

  it('503 service_busy sign-ins (no password checked) never lock: the right password then signs in', async () => {
    const o = oauthClient(demo);
    const ip = { 'x-forwarded-for': '198.51.100.90' };
    // Two real failures first: a busy refusal must give back only its own attempt.
    for (let i = 0; i < 2; i++)
      expectProblem(await o.login('carol@example.com', WRONG, ip), 401, 'invalid_credentials');
    state.busy = true;
    for (let i = 0; i < 8; i++) {
      const busy = await o.login('carol@example.com', PASSWORDS.carol, ip);
      expectProblem(busy, 503, 'service_busy');
      expect(busy.header('retry-after')).toBe('1');
    }
    state.busy = false;
    expect((await o.login('carol@example.com', PASSWORDS.carol, ip)).status).toBe(200);
    // The failures still count: five real ones lock the pair.
    for (let i = 0; i < 5; i++)
      expectProblem(await o.login('carol@example.com', WRONG, ip), 401, 'invalid_credentials');
    expectProblem(await o.login('carol@example.com', PASSWORDS.carol, ip), 429, 'login_locked');
  });
});
