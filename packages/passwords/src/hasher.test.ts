import { ConfigError, decisionForError, STATUS_BY_CODE } from '@bulwark/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { passwordHasher as pureEntryHasher } from './index.js';
import { nodeArgon2Engine, passwordHasher, pureArgon2Engine, ServiceBusyError } from './node/index.js';
import { formatArgon2idPhc, parseArgon2idPhc } from './phc.js';
import { countingEngine, zeroEngine } from './test-engines.js';

const PASSWORD = 'correct horse battery staple';

describe('passwordHasher (native engine, the Node default)', () => {
  const hasher = passwordHasher();

  it('writes an Argon2id PHC string at OWASP parameters with a 16-byte salt and a 32-byte tag', async () => {
    const stored = await hasher.hash(PASSWORD);
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(await hasher.hash(PASSWORD)).not.toBe(stored); // a fresh salt each time
  });

  it('verifies the right password and refuses others', async () => {
    const stored = await hasher.hash(PASSWORD);
    expect(await hasher.verify(stored, PASSWORD)).toBe(true);
    expect(await hasher.verify(stored, `${PASSWORD} `)).toBe(false);
    expect(await hasher.verify(stored, '')).toBe(false);
  });

  it('agrees with the pure engine both ways (two independent implementations)', async () => {
    const pure = passwordHasher({ engine: pureArgon2Engine() });
    const fromNative = await hasher.hash(PASSWORD);
    expect(await pure.verify(fromNative, PASSWORD)).toBe(true);
    const fromPure = await pure.hash('ünïcödé pässwörd');
    expect(await hasher.verify(fromPure, 'ünïcödé pässwörd')).toBe(true);
  });

  it('normalises to NFKC, so a password typed in another Unicode form verifies', async () => {
    const composed = 'Ångström café ﬁx'; // U+00C5, U+00F6, U+00E9, the ligature U+FB01
    const decomposed = 'A\u030Angstro\u0308m cafe\u0301 fix';
    const angstromSign = '\u212Bngstr\u00F6m caf\u00E9 \uFB01x';
    const stored = await hasher.hash(composed);
    expect(await hasher.verify(stored, decomposed)).toBe(true);
    expect(await hasher.verify(stored, angstromSign)).toBe(true);
    expect(await hasher.verify(stored, 'Angstrom cafe fix')).toBe(false);
  });

  it('verifies a hash with weaker legacy parameters, and needsRehash says to upgrade it', async () => {
    const engine = nodeArgon2Engine();
    const salt = new Uint8Array(16).fill(1);
    const password = new TextEncoder().encode(PASSWORD);
    const legacy = formatArgon2idPhc({
      memory: 4096,
      passes: 1,
      parallelism: 1,
      salt,
      hash: await engine.argon2id({ password, salt, memory: 4096, passes: 1, parallelism: 1, hashLength: 32 }),
    });
    expect(await hasher.verify(legacy, PASSWORD)).toBe(true);
    expect(hasher.needsRehash(legacy)).toBe(true);
    expect(hasher.needsRehash(await hasher.hash(PASSWORD))).toBe(false);
  });

  it('verifyDummy costs one real computation at the current parameters and answers false', async () => {
    const engine = countingEngine(nodeArgon2Engine());
    const counted = passwordHasher({ engine });
    expect(await counted.verifyDummy(PASSWORD)).toBe(false);
    expect(await counted.verifyDummy('')).toBe(false);
    expect(engine.calls).toBe(2);
    expect(engine.inputs[0]).toMatchObject({ memory: 19456, passes: 2, parallelism: 1, hashLength: 32 });
    expect(engine.inputs[0]?.salt).toHaveLength(16);
  });
});

describe('needsRehash', () => {
  const hasher = passwordHasher({ engine: zeroEngine, memory: 65536, passes: 3 });
  const at = (memory: number, passes: number, parallelism = 1, saltLength = 16, hashLength = 32) =>
    formatArgon2idPhc({
      memory,
      passes,
      parallelism,
      salt: new Uint8Array(saltLength),
      hash: new Uint8Array(hashLength),
    });
  it.each([
    ['the policy itself', at(65536, 3), false],
    ['more memory', at(131072, 3), false],
    ['less memory', at(65535, 3), true],
    ['fewer passes', at(65536, 2), true],
    ['a shorter salt', at(65536, 3, 1, 8), true],
    ['a shorter tag', at(65536, 3, 1, 16, 16), true],
    ['a malformed string', 'not a hash', true],
    ['a bcrypt hash', '$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW', true],
  ])('%s: %s', (_, stored, expected) => {
    expect(hasher.needsRehash(stored as string)).toBe(expected);
  });
});

describe('verify never throws on data', () => {
  it('answers false for any string or value as the stored hash or the password', async () => {
    const engine = countingEngine(zeroEngine);
    const hasher = passwordHasher({ engine });
    await fc.assert(
      fc.asyncProperty(fc.anything(), fc.anything(), async (stored, password) => {
        expect(await hasher.verify(stored as string, password as string)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses, without computing, a stored hash far costlier than the policy and an over-long password', async () => {
    const engine = countingEngine(zeroEngine);
    const hasher = passwordHasher({ engine });
    const costly = formatArgon2idPhc({
      memory: 8 * 19456 + 1,
      passes: 2,
      parallelism: 1,
      salt: new Uint8Array(16),
      hash: new Uint8Array(32),
    });
    expect(await hasher.verify(costly, PASSWORD)).toBe(false);
    const fine = costly.replace(`m=${8 * 19456 + 1}`, `m=${8 * 19456}`);
    expect(parseArgon2idPhc(fine)).toBeDefined();
    expect(await hasher.verify(fine, 'x'.repeat(4097))).toBe(false);
    expect(engine.calls).toBe(0);
    // The zero engine's tag is all zeros, and so is this stored one: it verifies, through a computation.
    expect(await hasher.verify(fine, PASSWORD)).toBe(true);
    expect(engine.calls).toBe(1);
  });

  it('hash refuses a non-string or over-long password with invalid_argument', async () => {
    const hasher = passwordHasher({ engine: zeroEngine });
    await expect(hasher.hash('x'.repeat(4097))).rejects.toMatchObject({ code: 'invalid_argument' });
    await expect(hasher.hash(42 as unknown as string)).rejects.toMatchObject({ code: 'invalid_argument' });
  });
});

describe('options', () => {
  it.each([
    [{ memory: 19455 }, 'memory'],
    [{ memory: 19456.5 }, 'memory'],
    [{ passes: 1 }, 'passes'],
    [{ parallelism: 0 }, 'parallelism'],
    [{ maxConcurrent: 0 }, 'maxConcurrent'],
    [{ maxQueued: -1 }, 'maxQueued'],
    [{ retryAfter: 0 }, 'retryAfter'],
    [{ memroy: 65536 }, 'memroy'],
  ])('%o is a ConfigError naming %s', (options, option) => {
    expect(() => passwordHasher(options as never)).toThrow(ConfigError);
    expect(() => passwordHasher(options as never)).toThrow(expect.objectContaining({ option }));
  });

  it('bounds in-flight hashes by default: the cores less one (1..2) natively, 1 on the calling thread', () => {
    const cores = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
    const expected = cores === undefined ? 1 : Math.min(2, Math.max(1, cores - 1));
    expect(passwordHasher().limits).toEqual({ maxConcurrent: expected, maxQueued: 32 });
    expect(passwordHasher({ engine: pureArgon2Engine() }).limits.maxConcurrent).toBe(1);
    expect(pureEntryHasher({ engine: pureArgon2Engine() }).limits.maxConcurrent).toBe(1);
    expect(passwordHasher({ maxConcurrent: 6, maxQueued: 0 }).limits).toEqual({ maxConcurrent: 6, maxQueued: 0 });
  });

  it('takes stronger parameters', async () => {
    const hasher = passwordHasher({ memory: 32768, passes: 3, parallelism: 2 });
    expect(await hasher.hash(PASSWORD)).toMatch(/^\$argon2id\$v=19\$m=32768,t=3,p=2\$/);
  });

  it('the pure entry refuses its on-thread default on Node, naming engine, and takes an explicit engine', () => {
    expect(() => pureEntryHasher()).toThrow(expect.objectContaining({ option: 'engine' }));
    expect(pureEntryHasher({ engine: pureArgon2Engine() }).params).toEqual({
      memory: 19456,
      passes: 2,
      parallelism: 1,
    });
  });
});

describe('ServiceBusyError', () => {
  it('is a 503 service_busy through the adapters’ error mapping, with nothing of its message', () => {
    const err = new ServiceBusyError(2);
    expect(err.code).toBe('service_busy');
    expect(err.retryAfter).toBe(2);
    expect(STATUS_BY_CODE.service_busy).toBe(503);
    const decision = decisionForError(err, { onError: () => {} });
    expect(decision.status).toBe(503);
    expect(decision.problem).toMatchObject({ status: 503, title: 'Service Busy' });
    expect(JSON.stringify(decision.problem)).not.toContain('capacity');
  });
});
