import { readFile, rename, writeFile } from 'node:fs/promises';
import { ConfigError } from '@bulwark/core';
import type { KeyringRecord, KeyringSnapshot, KeyringStore } from '@bulwark/tokens';

/** The file `bulwark jwks` keeps: the keyring's records, private keys sealed under the key-encryption key. */
interface KeyringFile {
  readonly format: 'bulwark-keyring/1';
  /** The highest generation ever created (the compare-and-set of `create`). */
  readonly head: number;
  readonly records: readonly KeyringRecord[];
}

const FORMAT = 'bulwark-keyring/1';

async function readKeyring(path: string): Promise<KeyringFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return { format: FORMAT, head: 0, records: [] };
  }
  const parsed = JSON.parse(text) as Partial<KeyringFile>;
  if (parsed.format !== FORMAT || !Array.isArray(parsed.records) || typeof parsed.head !== 'number') {
    throw new ConfigError('--file', `${path} is not a bulwark keyring file (${FORMAT})`);
  }
  return parsed as KeyringFile;
}

/**
 * A keyring store on one JSON file, for the CLI (one process at a time): written to a
 * temporary file and renamed, so a crash never leaves half a keyring. The records carry only
 * sealed private keys (AES-256-GCM under the key-encryption key, sealed by the keyring).
 */
export function fileKeyringStore(path: string): KeyringStore {
  return {
    async load(now) {
      const file = await readKeyring(path);
      return { now: now ?? Date.now(), records: file.records };
    },
    async create(record, options) {
      const file = await readKeyring(path);
      const now = options.now ?? Date.now();
      const snapshot = (records: readonly KeyringRecord[]): KeyringSnapshot => ({ now, records });
      if (record.generation !== file.head + 1) return { ...snapshot(file.records), created: false };
      const stored: KeyringRecord = { ...record, createdAt: now, activatesAt: now + options.activateAfter };
      const records = [...file.records.filter((r) => r.generation >= options.dropBelow), stored];
      const next: KeyringFile = { format: FORMAT, head: record.generation, records };
      await writeFile(`${path}.tmp`, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
      await rename(`${path}.tmp`, path);
      return { ...snapshot(records), created: true };
    },
  };
}
