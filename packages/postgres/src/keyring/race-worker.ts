// A child process of the keyring race test: `count` keyrings on one PostgreSQL keyring,
// each asking for its signing key and its JWK Set at a given time. Prints the signing kids,
// the published kids and how many keys this process created. Run two at once.
import { manualClock, type SecurityEvent } from '@bulwark/core';
import { keyring } from '@bulwark/tokens';
import { testPool } from '../testing/pg.js';
import { postgresKeyringStore } from './store.js';

const [schema, name, nowText, countText] = process.argv.slice(2);
const pool = testPool({ max: 4 });
const store = postgresKeyringStore({ pool, schema: schema as string, name: name as string });
const clock = manualClock(Number(nowText));
const events: SecurityEvent[] = [];
const keyEncryptionKey = new Uint8Array(32).fill(9);
const rings = Array.from({ length: Number(countText) }, () =>
  keyring({ store, keyEncryptionKey, clock, onEvent: (e) => events.push(e) }),
);
const signing = await Promise.all(rings.map((k) => k.signingKey()));
const published = await Promise.all(rings.map((k) => k.jwks()));
process.stdout.write(
  `${JSON.stringify({
    signing: [...new Set(signing.map((k) => k.kid))],
    published: [...new Set(published.map((p) => p.keys.map((k) => k.kid).join(' ')))],
    created: events.filter((e) => e.type === 'keyring.key_created').length,
  })}\n`,
);
await pool.end();
